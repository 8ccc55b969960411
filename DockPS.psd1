@{
    RootModule           = 'DockPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0c7c1e-3a43-4c55-9d7e-2f4b8f6a1d20'
    Author               = 'DockPS'
    CompanyName          = 'DockPS'
    Copyright            = '(c) DockPS contributors. MIT License.'
    Description          = 'A container engine for PowerShell: cmdlets that return objects, a bundled daemon speaking the Docker Engine API, images, containers, volumes and declarative deployments.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('DockPS.format.ps1xml')
    TypesToProcess       = @('DockPS.types.ps1xml')
    # Explicit lists keep import fast: PowerShell need not scan the assembly to learn what to export.
    CmdletsToExport      = @(
        'Add-ImageTag'
        'Clear-Container'
        'Clear-Image'
        'Clear-Volume'
        'Connect-Registry'
        'Disconnect-Registry'
        'Enter-Container'
        'Export-Image'
        'Get-Container'
        'Get-ContainerLog'
        'Get-DockEvent'
        'Get-DockInfo'
        'Get-Image'
        'Get-ImageHistory'
        'Get-Registry'
        'Get-RegistryManifest'
        'Get-RegistryRepository'
        'Get-RegistryTag'
        'Get-Volume'
        'Import-Image'
        'Invoke-Container'
        'Invoke-ContainerCommand'
        'New-Container'
        'New-Volume'
        'Publish-Image'
        'Receive-Image'
        'Remove-Container'
        'Remove-Image'
        'Remove-RegistryManifest'
        'Remove-Volume'
        'Restart-Container'
        'Start-Container'
        'Start-DockDaemon'
        'Start-Registry'
        'Stop-Container'
        'Stop-DockDaemon'
        'Stop-Registry'
        'Wait-Container'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('containers', 'docker', 'oci', 'linux')
            LicenseUri = ''
            ProjectUri = ''
        }
    }
}
