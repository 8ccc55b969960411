# The module as a user meets it: imports cleanly, follows PowerShell conventions, formats its objects.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-DockTestModule
    $cmdlets = @($module.ExportedCmdlets.Values | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    # Cmdlets that never talk to a daemon; every other one must take -HostAddress. The registry
    # lookups go to the registry itself, as skopeo does; the registry server has no daemon.
    $localOnly = @('Disconnect-Registry', 'Get-RegistryRepository', 'Get-RegistryTag', 'Get-RegistryManifest', 'Remove-RegistryManifest',
        'Get-Registry', 'Start-Registry', 'Stop-Registry')
    $daemonCmdlets = @($cmdlets | Where-Object { $_.Name -notin $localOnly })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-DockTestModule
    $modulePath = Get-DockTestModulePath
}

Describe 'DockPS module' {
    It 'imports in a fresh pwsh with no warnings and no errors' {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$modulePath' -ErrorAction Stop -WarningVariable w -WarningAction SilentlyContinue; " +
            "if (`$w) { `$w | ForEach-Object { 'WARNING: ' + `$_ } }; (Get-Module DockPS).ExportedCmdlets.Count"
        $output = @(& $pwsh -NoProfile -NonInteractive -Command $script 2>&1)
        $LASTEXITCODE | Should -Be 0
        $output | Where-Object { "$_" -match 'WARNING|error' } | Should -BeNullOrEmpty
        [int]($output[-1]) | Should -BeGreaterThan 0
    }

    It 'imports from the built folder with its format and type files' {
        $module.ModuleBase | Should -Be (Split-Path $modulePath)
        $module.ExportedFormatFiles | Should -Not -BeNullOrEmpty
        $module.ExportedTypeFiles | Should -Not -BeNullOrEmpty
    }

    It 'has a valid manifest' {
        $manifest = Test-ModuleManifest $modulePath -ErrorAction Stop
        $manifest.Name | Should -Be 'DockPS'
        $manifest.RootModule | Should -Be 'DockPS.dll'
    }

    It 'exports the foundation cmdlets' {
        $names = @($module.ExportedCmdlets.Keys)
        foreach ($name in 'Start-DockDaemon', 'Stop-DockDaemon', 'Get-DockInfo', 'Get-DockEvent') {
            $names | Should -Contain $name
        }
    }

    It 'ships the daemon executable beside the manifest' {
        $dockpsd = Get-DockpsdPath
        Test-Path $dockpsd -PathType Leaf | Should -BeTrue
        (Get-Item $dockpsd).UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
    }
}

Describe '<Name> follows PowerShell conventions' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command $Name -Module DockPS
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $command.Verb
    }

    It 'declares [OutputType]' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'has a singular noun' {
        $command.Noun | Should -Not -Match '(?<!ss)s$'
    }
}

Describe '<Name> takes -HostAddress' -ForEach $daemonCmdlets {
    It 'has a -HostAddress string parameter bound by property name' {
        $command = Get-Command $Name -Module DockPS
        $command.Parameters.Keys | Should -Contain 'HostAddress'
        $parameter = $command.Parameters['HostAddress']
        $parameter.ParameterType | Should -Be ([string])
        @($parameter.Attributes | Where-Object { $_ -is [Parameter] -and $_.ValueFromPipelineByPropertyName }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Format views' {
    It 'has a list view for DockInfo' {
        $data = Get-FormatData DockPS.Types.DockInfo
        $data | Should -Not -BeNullOrEmpty
        $data.FormatViewDefinition.Control | Should -BeOfType [System.Management.Automation.ListControl]
    }

    It 'has a table view for DockEvent' {
        $data = Get-FormatData DockPS.Types.DockEvent
        $data | Should -Not -BeNullOrEmpty
        $data.FormatViewDefinition.Control | Should -BeOfType [System.Management.Automation.TableControl]
    }

    It 'has a table view for DockDaemon' {
        $data = Get-FormatData DockPS.Types.DockDaemon
        $data | Should -Not -BeNullOrEmpty
        $data.FormatViewDefinition.Control | Should -BeOfType [System.Management.Automation.TableControl]
    }

    It 'renders a DockEvent with its Time, Type, Action and actor' {
        $event = [DockPS.Types.DockEvent]@{ Time = [datetime]'2025-01-02 03:04:05.678'; Type = 'daemon'; Action = 'reload'; ActorId = 'abc'; ActorName = 'host1' }
        $text = $event | Out-String
        $text | Should -Match '2025-01-02 03:04:05\.678'
        $text | Should -Match 'daemon\s+reload\s+host1'
    }

    It 'renders a DockDaemon with its pid, address and start time' {
        $daemon = [DockPS.Types.DockDaemon]::new(4242, 'unix:///tmp/x.sock', '/tmp/data', '/tmp/exec', '/tmp/exec/dockpsd.log', [datetime]'2025-01-02 03:04:05')
        $text = $daemon | Out-String
        $text | Should -Match '4242\s+unix:///tmp/x\.sock\s+/tmp/data\s+2025-01-02 03:04:05'
    }

    It 'renders a RegistryLogin with its registry, user and where it is stored' {
        $text = [DockPS.Types.RegistryLogin]::new('127.0.0.1:5000', 'tester', $true, '/tmp/c/config.json') | Out-String
        $text | Should -Match '127\.0\.0\.1:5000\s+tester\s+/tmp/c/config\.json'
        $text = [DockPS.Types.RegistryLogin]::new('127.0.0.1:5000', 'tester', $false, $null) | Out-String
        $text | Should -Match 'tester\s+\(this session\)'
    }

    It 'renders registry repositories and tags with registry, repository and tag' {
        [DockPS.Types.RegistryRepository]::new('127.0.0.1:5000', 'team/app') | Out-String | Should -Match '127\.0\.0\.1:5000\s+team/app'
        [DockPS.Types.RegistryTag]::new('127.0.0.1:5000', 'team/app', '1.2') | Out-String | Should -Match '127\.0\.0\.1:5000\s+team/app\s+1\.2'
    }

    It 'renders a registry index with its platforms, and a descriptor with its size' {
        $entry = [DockPS.Types.RegistryDescriptor]@{ Digest = 'sha256:' + ('ab' * 32); MediaType = 'application/vnd.oci.image.manifest.v1+json'; Size = 3MB; Platform = 'linux/arm64/v8' }
        $index = [DockPS.Types.RegistryManifest]@{ Registry = 'localhost:5000'; Repository = 'app'; Tag = '1'; Digest = 'sha256:' + ('cd' * 32); Kind = 'Index'; Manifests = @($entry) }
        $index | Out-String -Width 200 | Should -Match 'localhost:5000/app\s+1\s+sha256:cdcdcdcdcdcd\s+Index\s+linux/arm64/v8'
        $entry | Out-String -Width 200 | Should -Match 'sha256:abababababab\s+application/vnd\.oci\.image\.manifest\.v1\+json\s+3\.0 MB\s+linux/arm64/v8'
    }

    It 'gives DockInfo a human-readable Memory property' {
        $info = [DockPS.Types.DockInfo]@{ MemoryBytes = 2GB }
        $info.Memory | Should -Be ('{0:N2} GiB' -f 2)
    }
}
