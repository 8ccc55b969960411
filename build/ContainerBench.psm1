# Container speed figures for `build.ps1 bench`: API-level run and create+remove, the real docker
# CLI's run, the one-step cmdlet, 100 concurrent starts, listing 1,000 containers, and logging
# throughput. Medians; ratios against dockerd where it is installed.

function Get-BenchMedian {
    param([double[]] $Values)
    $sorted = @($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[[int][math]::Floor($n / 2)] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

function Measure-Ms {
    param([scriptblock] $Block)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $Block
    $watch.Elapsed.TotalMilliseconds
}

# The compiled timing loops (ApiTimer.cs), compiled once per session on first use: at this
# module's import they would slow every task that imports it, the tests included.
function Use-ApiTimer {
    if (-not ('ApiTimer' -as [type])) { Add-Type -Path (Join-Path $PSScriptRoot 'ApiTimer.cs') }
}

function Invoke-ContainerBench {
    <#
    .SYNOPSIS
        Measures containers against a daemon at -Address that has busybox:latest; -Label names it in the output.
    #>
    param(
        [Parameter(Mandatory)] [string] $Address,
        [Parameter(Mandatory)] [string] $Dir,
        [Parameter(Mandatory)] [string] $ModuleDir,
        [string] $Label = 'dockpsd',
        [switch] $WithCmdlets
    )
    # The API-level loops run compiled (ApiTimer.cs); the rest drives Docker.DotNet (shipped with
    # the module), which keeps one connection.
    if (-not ('Docker.DotNet.DockerClientBuilder' -as [type])) {
        Get-ChildItem $ModuleDir -Filter 'Docker.DotNet*.dll' | ForEach-Object { Add-Type -Path $_.FullName }
    }
    Use-ApiTimer
    $socket = ([Uri]$Address).LocalPath
    $client = [Docker.DotNet.DockerClientBuilder]::new().WithEndpoint([Uri]$Address).Build()
    $results = [ordered]@{}
    try {
        function New-Busybox([string[]] $Cmd, [string] $Name) {
            $p = [Docker.DotNet.Models.CreateContainerParameters]::new()
            $p.Image = 'busybox:latest'
            $p.Cmd = [System.Collections.Generic.List[string]]::new([string[]]$Cmd)
            if ($Name) { $p.Name = $Name }
            $client.Containers.CreateContainerAsync($p).GetAwaiter().GetResult().ID
        }
        function Remove-Box([string] $Id) {
            $rm = [Docker.DotNet.Models.ContainerRemoveParameters]::new()
            $rm.Force = $true
            $null = $client.Containers.RemoveContainerAsync($Id, $rm).GetAwaiter().GetResult()
        }
        $none = [Docker.DotNet.Models.ContainerStartParameters]::new()

        Write-Host "==> [$Label] API-level create+start+wait+remove of busybox true (30 runs)" -ForegroundColor Cyan
        $results.Run = Get-BenchMedian ([ApiTimer]::Run($socket, 30))
        Write-Host ('    median {0:N1} ms (target <= 20; Docker 346 ms, Podman 389 ms in the issue)' -f $results.Run)

        Write-Host "==> [$Label] API-level create+remove (30 runs)" -ForegroundColor Cyan
        $results.CreateRemove = Get-BenchMedian ([ApiTimer]::CreateRemove($socket, 30))
        Write-Host ('    median {0:N1} ms (target <= 5; Docker 50 ms, Podman 108 ms)' -f $results.CreateRemove)

        Write-Host "==> [$Label] docker run --rm busybox true, real CLI (15 runs)" -ForegroundColor Cyan
        $docker = (Get-Command docker -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
        if ($docker) {
            $null = & $docker -H $Address run --rm busybox true 2>$null
            $times = 1..15 | ForEach-Object { Measure-Ms { & $docker -H $Address run --rm busybox true 2>$null } }
            $results.CliRun = Get-BenchMedian $times
            Write-Host ('    median {0:N1} ms (target <= 60)' -f $results.CliRun)
        }

        if ($WithCmdlets -and (Get-Command Invoke-Container -ErrorAction Ignore)) {
            Write-Host "==> [$Label] Invoke-Container busybox true -Remove, warm session (15 runs)" -ForegroundColor Cyan
            $null = Invoke-Container busybox true -Remove -HostAddress $Address
            $times = 1..15 | ForEach-Object { Measure-Ms { $null = Invoke-Container busybox true -Remove -HostAddress $Address } }
            $results.CmdletRun = Get-BenchMedian $times
            Write-Host ('    median {0:N1} ms' -f $results.CmdletRun)
        }

        Write-Host "==> [$Label] 100 containers started concurrently (busybox sleep 30)" -ForegroundColor Cyan
        $ids = 1..100 | ForEach-Object { New-Busybox @('sleep', '30') }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $tasks = $ids | ForEach-Object { $client.Containers.StartContainerAsync($_, $none) }
        [System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]$tasks)
        $results.Start100 = $watch.Elapsed.TotalMilliseconds
        Write-Host ('    all 100 running after {0:N0} ms ({1:N1} ms each)' -f $results.Start100, ($results.Start100 / 100))
        $watch.Restart()
        $tasks = $ids | ForEach-Object { $rm = [Docker.DotNet.Models.ContainerRemoveParameters]::new(); $rm.Force = $true; $client.Containers.RemoveContainerAsync($_, $rm) }
        [System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]$tasks)
        Write-Host ('    and removed with force after {0:N0} ms' -f $watch.Elapsed.TotalMilliseconds)

        Write-Host "==> [$Label] listing 1,000 containers (10 runs)" -ForegroundColor Cyan
        $many = 1..1000 | ForEach-Object { New-Busybox @('true') }
        $results.List = Get-BenchMedian ([ApiTimer]::List($socket, 10))
        Write-Host ('    API list: median {0:N1} ms (target < 100)' -f $results.List)
        if ($WithCmdlets -and (Get-Command Get-Container -ErrorAction Ignore)) {
            $times = 1..10 | ForEach-Object { Measure-Ms { $null = Get-Container -All -HostAddress $Address } }
            $results.GetContainer = Get-BenchMedian $times
            Write-Host ('    Get-Container -All: median {0:N1} ms (target < 100)' -f $results.GetContainer)
        }
        $tasks = $many | ForEach-Object { $rm = [Docker.DotNet.Models.ContainerRemoveParameters]::new(); $client.Containers.RemoveContainerAsync($_, $rm) }
        [System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]$tasks)

        Write-Host "==> [$Label] logging a container that prints 100 MiB (100-byte lines, 3 runs)" -ForegroundColor Cyan
        $text = Join-Path $Dir 'lines'
        $null = New-Item -ItemType Directory $text -Force
        $line = ('x' * 90) + ' '
        $writer = [System.IO.StreamWriter]::new((Join-Path $text 'f'))
        for ($i = 0; $i -lt 1048576; $i++) { $writer.Write($line); $writer.Write(('{0:D7}' -f $i)); $writer.Write("`n") }
        $writer.Dispose()
        $rates = foreach ($run in 1..3) {
            $p = [Docker.DotNet.Models.CreateContainerParameters]::new()
            $p.Image = 'busybox:latest'
            $p.Cmd = [System.Collections.Generic.List[string]]::new([string[]]@('cat', '/data/f'))
            $p.HostConfig = [Docker.DotNet.Models.HostConfig]::new()
            $p.HostConfig.Binds = [System.Collections.Generic.List[string]]::new([string[]]@("${text}:/data:ro"))
            $id = $client.Containers.CreateContainerAsync($p).GetAwaiter().GetResult().ID
            $ms = Measure-Ms {
                $null = $client.Containers.StartContainerAsync($id, $none).GetAwaiter().GetResult()
                $null = $client.Containers.WaitContainerAsync($id).GetAwaiter().GetResult()
            }
            $inspect = $client.Containers.InspectContainerAsync($id).GetAwaiter().GetResult()
            $logged = 0
            foreach ($file in Get-ChildItem "$($inspect.LogPath)*") {
                $reader = [System.IO.StreamReader]::new($file.FullName)
                while ($null -ne $reader.ReadLine()) { $logged++ }
                $reader.Dispose()
            }
            Remove-Box $id
            if ($logged -ne 1048576) { Write-Host "    run ${run}: $logged of 1048576 lines logged" -ForegroundColor Red }
            100 / ($ms / 1000)
        }
        $results.LogMiBs = Get-BenchMedian $rates
        Write-Host ('    median {0:N0} MiB/s, every line logged (target >= 100 MiB/s)' -f $results.LogMiBs)
    }
    finally { $client.Dispose() }
    [pscustomobject]$results
}

function Measure-BareRuntime {
    <#
    .SYNOPSIS
        The floor under every start: the runtime alone running busybox true from the runtime's own
        default bundle (crun spec), detached, then its delete; medians of 20.
    #>
    param(
        [Parameter(Mandatory)] [string] $Dir,
        [Parameter(Mandatory)] [string] $Tarball,
        [string] $Runtime = 'crun'
    )
    $path = (Get-Command $Runtime -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    if (-not $path) { Write-Host "    $Runtime not installed: no bare runtime figure"; return $null }
    $bundle = Join-Path $Dir "bare-$Runtime"
    $state = Join-Path $bundle 'state'
    $null = New-Item -ItemType Directory (Join-Path $bundle 'rootfs') -Force
    & tar -C (Join-Path $bundle 'rootfs') -xf $Tarball
    Push-Location $bundle
    try { & $path spec } finally { Pop-Location }
    $config = Get-Content (Join-Path $bundle 'config.json') -Raw | ConvertFrom-Json
    $config.process.args = @('true')
    $config.process.terminal = $false
    $config | ConvertTo-Json -Depth 32 | Set-Content (Join-Path $bundle 'config.json')
    Use-ApiTimer
    $null = [ApiTimer]::Runtime($path, $state, $bundle, 2) # warm: page cache, first cgroups
    $times = [ApiTimer]::Runtime($path, $state, $bundle, 20)
    $result = [pscustomobject]@{
        RunMs = (Get-BenchMedian $times.Item1); DeleteMs = (Get-BenchMedian $times.Item2)
        Path = $path; Bundle = $bundle; State = $state
    }
    Write-Host ('    bare {0} run --detach of busybox true: median {1:N1} ms; {0} delete: {2:N1} ms (the floor under a start)' -f $Runtime, $result.RunMs, $result.DeleteMs)
    $result
}

function Measure-EngineShare {
    <#
    .SYNOPSIS
        What the engine adds to the runtime's own run: API-level runs and bare runtime runs (the
        bundle -Bare made) alternate in rounds, so both are timed in the same minutes. These
        machines' speed drifts, up to twice as slow from one minute to the next, which makes a
        difference of figures taken minutes apart meaningless.
    #>
    param(
        [Parameter(Mandatory)] [string] $Address,
        [Parameter(Mandatory)] $Bare,
        [int] $Rounds = 8
    )
    Use-ApiTimer
    $socket = ([Uri]$Address).LocalPath
    $runs = @(); $bareRuns = @()
    foreach ($round in 1..$Rounds) {
        $runs += [ApiTimer]::Run($socket, 4)
        $bareRuns += [ApiTimer]::Runtime($Bare.Path, $Bare.State, $Bare.Bundle, 4).Item1
    }
    $run = Get-BenchMedian $runs
    $bareRun = Get-BenchMedian $bareRuns
    Write-Host ('    API-level run {0:N1} ms, bare runtime run {1:N1} ms, alternating: the engine adds {2:N1} ms' -f $run, $bareRun, ($run - $bareRun))
    [pscustomobject]@{ RunMs = $run; BareRunMs = $bareRun }
}

Export-ModuleMember -Function Invoke-ContainerBench, Measure-BareRuntime, Measure-EngineShare, Get-BenchMedian, Measure-Ms
