#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks DockPS.
.DESCRIPTION
    Tasks:
      build  (default) the shippable module in out/DockPS: manifest, DockPS.dll and its
             dependencies, format and type files, MAML help, the dockpsd daemon,
             dockps-shim (its per-container monitor) and dockps-registry (the registry server).
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

function Install-DebianPackages {
    # A fresh Debian machine has only the .NET SDK: demo, test and bench install what else they
    # need (build/debian-packages.txt) when they can, and say what is missing when they cannot.
    $wanted = Get-Content (Join-Path $Root 'build/debian-packages.txt') | Where-Object { $_ -and -not $_.StartsWith('#') }
    $missing = @($wanted | Where-Object { (& dpkg-query -W -f '${Status}' $_ 2>$null) -notmatch 'install ok installed' })
    if ($missing.Count -eq 0) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore) -or (& id -u) -ne '0') {
        Write-Warning "missing Debian packages (install them as root): $($missing -join ' ')"
        return
    }
    Write-Host "==> apt-get install $($missing -join ' ')" -ForegroundColor Cyan
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq
    & apt-get install -y -qq --no-install-recommends @missing
    if ($LASTEXITCODE -ne 0) { throw "apt-get install failed with exit code $LASTEXITCODE" }
}

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Write-Host "==> build ($Configuration)" -ForegroundColor Cyan
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    $common = @('-c', $Configuration, '--nologo', '-v', 'quiet', '-p:GenerateDocumentationFile=true')
    Invoke-Dotnet publish (Join-Path $Root 'src/DockPS/DockPS.csproj') -o $Out @common
    # The daemon is compiled ahead of time where a C toolchain can link it (tens of milliseconds to
    # start, a third of the memory); elsewhere it is a framework-dependent build that behaves alike.
    # Published apart, then copied in: two publishes into one folder delete each other's files.
    $daemon = Join-Path $Root 'src/DockPS.Daemon/DockPS.Daemon.csproj'
    $daemonOut = Join-Path $Root 'out/daemon'
    if (Test-Path $daemonOut) { Remove-Item $daemonOut -Recurse -Force }
    if (Get-Command gcc -CommandType Application -ErrorAction Ignore) {
        Invoke-Dotnet publish $daemon -o $daemonOut -r linux-x64 '-p:PublishAot=true' @common
    }
    else {
        Write-Warning 'gcc not found: dockpsd is built for the JIT (slower start, more memory). apt-get install gcc for the native build.'
        Invoke-Dotnet publish $daemon -o $daemonOut -r linux-x64 --self-contained false @common
    }
    Get-ChildItem $daemonOut -Exclude '*.pdb', '*.dbg', '*.xml' | Copy-Item -Destination $Out -Recurse -Force
    # dockps-registry, the bundled registry server, is built the same way for the same reasons.
    $registry = Join-Path $Root 'src/DockPS.RegistryServer/DockPS.RegistryServer.csproj'
    $registryOut = Join-Path $Root 'out/registry'
    if (Test-Path $registryOut) { Remove-Item $registryOut -Recurse -Force }
    if (Get-Command gcc -CommandType Application -ErrorAction Ignore) {
        Invoke-Dotnet publish $registry -o $registryOut -r linux-x64 '-p:PublishAot=true' @common
    }
    else {
        Invoke-Dotnet publish $registry -o $registryOut -r linux-x64 --self-contained false @common
    }
    Get-ChildItem $registryOut -Exclude '*.pdb', '*.dbg', '*.xml' | Copy-Item -Destination $Out -Recurse -Force
    # dockps-shim, the per-container monitor, is C. Linked statically: it then stays near 0.6 MB
    # resident instead of 1.4 MB with a shared libc, and one runs for every container.
    if (Get-Command gcc -CommandType Application -ErrorAction Ignore) {
        $shimSources = Get-ChildItem (Join-Path $Root 'src/dockps-shim') -Filter '*.c' | Sort-Object Name | ForEach-Object FullName
        & gcc -O2 -Wall -Wextra -Werror -static -o (Join-Path $Out 'dockps-shim') @shimSources
        if ($LASTEXITCODE -ne 0) { throw "gcc failed to build dockps-shim (exit code $LASTEXITCODE)" }
    }
    else {
        Write-Warning 'gcc not found: dockps-shim is not built, so containers cannot run. apt-get install gcc for it.'
    }
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
        Install-DebianPackages
        Invoke-Build
        $exit = Invoke-DockTestSuites -Root $Root -ModulePath (Join-Path $Out 'DockPS.psd1') -ToolsDir $ToolsDir -Configuration $Configuration
        if ($exit -isnot [int]) { throw "the test runner returned '$exit' instead of an exit code" }
        exit $exit
    }
    'demo' {
        Install-DebianPackages
        Invoke-Build
        Invoke-DockDemo -ModulePath (Join-Path $Out 'DockPS.psd1')
    }
    'bench' {
        Install-DebianPackages
        Invoke-Build
        Invoke-DockBench -Root $Root -ModulePath (Join-Path $Out 'DockPS.psd1')
    }
}
