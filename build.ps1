#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks DockPS.
.DESCRIPTION
    Tasks:
      build  (default) the shippable module in out/DockPS: manifest, DockPS.dll and its
             dependencies, format and type files, MAML help, and the dockpsd daemon.
      test   build, then every suite (xunit, Pester, real-client checks); ends with "N passed, N failed".
      demo   build, then start a daemon and show it working from PowerShell and the docker CLI.
      bench  build, then print the speed figures (medians; ratios where Docker is installed).
      docs   write platyPS-format pages into docs/en-US for cmdlets that have none.
      clean  remove build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'demo', 'bench', 'docs', 'clean')]
    [string] $Task = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out/DockPS'
$ToolsDir = Join-Path $Root '.tools'
Import-Module (Join-Path $Root 'build/Help.psm1') -Force
Import-Module (Join-Path $Root 'build/Tasks.psm1') -Force

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Write-Host "==> build ($Configuration)" -ForegroundColor Cyan
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    $common = @('-c', $Configuration, '--nologo', '-v', 'quiet', '-p:GenerateDocumentationFile=true')
    Invoke-Dotnet publish (Join-Path $Root 'src/DockPS/DockPS.csproj') -o $Out @common
    # The daemon is framework-dependent for linux-x64 so native SQLite sits flat beside it.
    Invoke-Dotnet publish (Join-Path $Root 'src/DockPS.Daemon/DockPS.Daemon.csproj') -o $Out -r linux-x64 --self-contained false @common
    Copy-Item (Join-Path $Root 'DockPS.psd1') $Out
    Copy-Item (Join-Path $Root 'src/DockPS/DockPS.format.ps1xml'), (Join-Path $Root 'src/DockPS/DockPS.types.ps1xml') $Out
    Get-ChildItem $Out -Filter '*.pdb' | Remove-Item
    $help = Join-Path $Out 'en-US'
    ConvertTo-DockMaml -DocsPath (Join-Path $Root 'docs/en-US') -OutputPath $help
    Write-Host "    module ready: $Out"
}

switch ($Task) {
    'clean' {
        foreach ($dir in @($Out, (Join-Path $Root 'out'), (Join-Path $Root 'TestResults'))) {
            if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
        }
        Invoke-Dotnet clean (Join-Path $Root 'DockPS.sln') --nologo -v quiet
    }
    'build' { Invoke-Build }
    'docs' {
        Invoke-Build
        Update-DockHelpMarkdown -ModulePath (Join-Path $Out 'DockPS.psd1') -DocsPath (Join-Path $Root 'docs/en-US')
    }
    'test' {
        Invoke-Build
        $exit = Invoke-DockTestSuites -Root $Root -ModulePath (Join-Path $Out 'DockPS.psd1') -ToolsDir $ToolsDir -Configuration $Configuration
        exit $exit
    }
    'demo' {
        Invoke-Build
        Invoke-DockDemo -ModulePath (Join-Path $Out 'DockPS.psd1')
    }
    'bench' {
        Invoke-Build
        Invoke-DockBench -Root $Root -ModulePath (Join-Path $Out 'DockPS.psd1')
    }
}
