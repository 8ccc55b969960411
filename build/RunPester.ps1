# Runs the Pester suites in a fresh pwsh (so the module under test loads once, from out/) and
# writes the counts as JSON for build.ps1 to add up.
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestsPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -RequiredVersion 5.9.1
$env:DOCKPS_TEST_MODULE = $ModulePath
$config = New-PesterConfiguration
$config.Run.Path = $TestsPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = [System.IO.Path]::ChangeExtension($SummaryPath, '.junit.xml')
$result = Invoke-Pester -Configuration $config
# A container that failed to load (a broken file, a failing BeforeAll) counts as a failure too.
$failedBlocks = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 }).Count
@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $failedBlocks
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content $SummaryPath
