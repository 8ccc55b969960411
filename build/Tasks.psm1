# The test, demo and bench tasks of build.ps1.

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'ContainerBench.psm1') -Force   # Get-BenchMedian

function Get-PwshPath {
    # The pwsh that runs this script, so child runs use the same version (the repo's dotnet tool).
    $apphost = Join-Path $PSHOME 'pwsh'
    if (Test-Path $apphost) { return $apphost }
    throw "pwsh not found in $PSHOME"
}

function Read-TrxCount {
    param([string] $Path)
    if (-not (Test-Path $Path)) { return $null }
    $trx = [xml](Get-Content $Path -Raw)
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted; NotRun = [int]$counters.notExecuted }
}

$PesterFileTimeoutMinutes = 20

function Invoke-TimedProcess {
    <#
    .SYNOPSIS
        Runs a program with this console's output and a time limit. Returns $false when the limit
        passed and the program, with every process it started, was ended.
    #>
    param([string] $FilePath, [string[]] $ArgumentList, [int] $TimeoutMinutes)
    $start = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $start.ArgumentList.Add($argument) }
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        if ($process.WaitForExit([timespan]::FromMinutes($TimeoutMinutes))) { return $true }
        $process.Kill($true)
        $process.WaitForExit()
        return $false
    }
    finally { $process.Dispose() }
}

function Invoke-DockTestSuites {
    <#
    .SYNOPSIS
        Runs every suite (xunit projects, then Pester) and prints one "N passed, N failed" line.
        Returns the process exit code: 0 only when nothing failed and something ran.
    #>
    param([string] $Root, [string] $ModulePath, [string] $ToolsDir, [string] $Configuration)

    $results = Join-Path $Root 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory $results
    $passed = 0; $failed = 0

    # The daemon suites drive the shipped (ahead-of-time compiled) dockpsd, not a test build; the
    # runtime suites the shipped dockps-shim; the registry server's suites the shipped dockps-registry.
    $env:DOCKPSD = Join-Path (Split-Path $ModulePath) 'dockpsd'
    $env:DOCKPS_SHIM = Join-Path (Split-Path $ModulePath) 'dockps-shim'
    # The registry server's suites start the shipped dockps-registry instead of an in-process host.
    $env:DOCKPS_REGISTRY = Join-Path (Split-Path $ModulePath) 'dockps-registry'
    foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse | Sort-Object Name) {
        $name = $project.BaseName
        Write-Host "==> xunit: $name" -ForegroundColor Cyan
        # Out-Host: a native command's output would otherwise become this function's return value.
        & dotnet test $project.FullName -c $Configuration --nologo -v quiet `
            --blame-hang --blame-hang-timeout 15m --blame-hang-dump-type none `
            --logger "trx;LogFileName=$name.trx" --logger 'console;verbosity=normal' --results-directory $results | Out-Host
        $count = Read-TrxCount (Join-Path $results "$name.trx")
        if ($null -eq $count) {
            Write-Host "    $name produced no results (build or host failure): counted as 1 failure" -ForegroundColor Red
            $failed++
            continue
        }
        if ($count.NotRun -gt 0) {
            Write-Host "    $name skipped $($count.NotRun) test(s): skipped tests count as failures" -ForegroundColor Red
            $failed += $count.NotRun
        }
        Write-Host "    $name`: $($count.Passed) passed, $($count.Failed) failed"
        $passed += $count.Passed; $failed += $count.Failed
    }

    Write-Host '==> Pester' -ForegroundColor Cyan
    & dotnet restore (Join-Path $Root 'build/Tools.csproj') --packages (Join-Path $ToolsDir 'packages') --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'restoring Pester failed' }
    $pester = Join-Path $ToolsDir 'packages/pester/5.9.1/tools/Pester.psd1'
    # One pwsh per file, each with a time limit: a test that hangs fails its file, and the rest
    # still run and the closing line is still printed.
    $p = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in Get-ChildItem (Join-Path $Root 'tests/pester') -Filter '*.Tests.ps1' | Sort-Object Name) {
        $summary = Join-Path $results "pester-$($file.BaseName).json"
        $exited = Invoke-TimedProcess -FilePath (Get-PwshPath) -TimeoutMinutes $PesterFileTimeoutMinutes -ArgumentList @(
            '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'build/RunPester.ps1'),
            '-PesterPath', $pester, '-ModulePath', $ModulePath, '-TestsPath', $file.FullName, '-SummaryPath', $summary)
        if (-not $exited) {
            Write-Host "    $($file.Name) ran longer than $PesterFileTimeoutMinutes minutes and was ended: counted as 1 failure" -ForegroundColor Red
            $p.Failed++
        }
        elseif (Test-Path $summary) {
            $one = Get-Content $summary -Raw | ConvertFrom-Json
            $p.Passed += $one.Passed; $p.Failed += $one.Failed; $p.Skipped += $one.Skipped
        }
        else {
            Write-Host "    $($file.Name) produced no summary: counted as 1 failure" -ForegroundColor Red
            $p.Failed++
        }
    }
    Write-Host "    Pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
    $passed += $p.Passed; $failed += $p.Failed + $p.Skipped

    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { return 1 }
    return 0
}

function New-DemoRoot {
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("dockps-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory $dir
    $dir
}

function Invoke-DockDemo {
    <#
    .SYNOPSIS
        Starts a daemon in a scratch folder and shows it working, from PowerShell and the docker CLI.
    #>
    param([string] $ModulePath)

    Import-Module $ModulePath -Force
    $dir = New-DemoRoot
    $address = "unix://$dir/dockps.sock"
    $registry = $null
    try {
        Write-Host "==> Start-DockDaemon -HostAddress $address" -ForegroundColor Cyan
        $daemon = Start-DockDaemon -HostAddress $address -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
        $daemon | Format-Table | Out-Host
        $env:DOCKPS_HOST = $address

        Write-Host '==> Get-DockInfo' -ForegroundColor Cyan
        Get-DockInfo | Out-Host

        Write-Host '==> Import-Image: a busybox image from busybox-static' -ForegroundColor Cyan
        Import-Module (Join-Path $PSScriptRoot 'BaseImage.psm1') -Force
        $tarball = New-BusyboxTarball -Path "$dir/busybox.tar"
        Import-Image $tarball.FullName busybox:latest -Change 'CMD ["sh"]' -Message 'busybox-static from Debian' | Out-Host
        Add-ImageTag busybox:latest localhost:5000/tools/busybox:1.36
        Get-Image | Out-Host
        Get-ImageHistory busybox:latest | Out-Host

        Write-Host '==> Export-Image (docker save), Remove-Image, Import-Image of the archive (docker load)' -ForegroundColor Cyan
        Export-Image busybox "$dir/busybox-saved.tar" -PassThru | Format-Table Name, Length | Out-Host
        Remove-Image localhost:5000/tools/busybox:1.36 -Confirm:$false
        Remove-Image busybox:latest -Confirm:$false
        Import-Image "$dir/busybox-saved.tar" | Out-Host
        Add-ImageTag busybox:latest localhost:5000/tools/busybox:1.36

        Write-Host '==> Start-Registry: the bundled registry, with a password, on a free loopback port' -ForegroundColor Cyan
        $credential = [pscredential]::new('demo', (ConvertTo-SecureString "demo-$([guid]::NewGuid().ToString('n').Substring(0, 12))" -AsPlainText -Force))
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $registry = Start-Registry -Path "$dir/registry" -Port $port -Credential $credential
        $registry | Out-Host
        Write-Host '==> Connect-Registry (docker login, for this session), Publish-Image, a look at the registry, Remove-Image, Receive-Image' -ForegroundColor Cyan
        Connect-Registry $registry.Address -Credential $credential -Scope Session | Out-Host
        $remote = "$($registry.Address)/tools/busybox:1.36"
        Add-ImageTag busybox:latest $remote
        Publish-Image $remote -PassThru | Format-List Tags, RepoDigests | Out-Host
        Get-RegistryRepository $registry.Address | Get-RegistryTag | Out-Host
        Get-RegistryManifest $remote | Format-List | Out-Host
        Remove-Image $remote -Confirm:$false
        Receive-Image $remote | Out-Host

        Write-Host '==> Invoke-Container (docker run): output down the pipeline, the exit code in the result' -ForegroundColor Cyan
        Invoke-Container busybox -Command sh, -c, 'echo hello from $(hostname); exit 3' -Remove -PassThru | Out-Host

        Write-Host '==> a detached container with a named volume; a few of its log lines; a command run in it' -ForegroundColor Cyan
        $web = New-Container busybox -Command sh, -c, 'i=0; while true; do echo "tick $i" | tee -a /data/ticks; i=$((i+1)); sleep 0.2; done' `
            -Name demo-ticker -Volume 'demo-data:/data' -Label @{ demo = 'yes' } -Memory 64MB
        $web | Start-Container -PassThru | Out-Host
        Start-Sleep -Seconds 1
        Get-ContainerLog demo-ticker -Tail 3 | Format-Table Time, Stream, Text | Out-Host
        Invoke-ContainerCommand demo-ticker -Command sh, -c, 'echo "$(wc -l < /data/ticks) lines in the volume; PID 1 is $(cat /proc/1/comm)"' | Out-Host
        Get-Container | Out-Host

        Write-Host '==> the volume outlives its container' -ForegroundColor Cyan
        Get-Container -All -Label demo=yes | Stop-Container -Timeout 1 -PassThru | Remove-Container -Confirm:$false
        Get-Volume demo-data | Out-Host
        Invoke-Container busybox -Command sh, -c, 'echo "a new container reads $(wc -l < /data/ticks) lines"' -Volume 'demo-data:/data' -Remove | Out-Host
        Remove-Volume demo-data -Confirm:$false
        Write-Host ('    containers left: {0}, volumes left: {1}' -f @(Get-Container -All).Count, @(Get-Volume).Count)

        Write-Host '==> a configuration reload, seen in Get-DockEvent' -ForegroundColor Cyan
        $since = Get-Date
        & kill -HUP $daemon.Pid
        Start-Sleep -Milliseconds 300
        Get-DockEvent -Since $since -Until (Get-Date) | Out-Host

        if (Get-Command docker -ErrorAction Ignore) {
            Write-Host "==> docker -H $address version" -ForegroundColor Cyan
            & docker -H $address version | Out-Host
            Write-Host "==> docker -H $address info --format '{{.ServerVersion}} on {{.OperatingSystem}}'" -ForegroundColor Cyan
            & docker -H $address info --format '{{.ServerVersion}} on {{.OperatingSystem}}' | Out-Host
            Write-Host "==> docker -H $address images" -ForegroundColor Cyan
            & docker -H $address images | Out-Host
            Write-Host "==> docker -H $address run --rm busybox echo hi" -ForegroundColor Cyan
            & docker -H $address run --rm busybox echo hi | Out-Host
        }
        Write-Host '==> Stop-DockDaemon' -ForegroundColor Cyan
        $daemon | Stop-DockDaemon -Confirm:$false -Verbose
    }
    finally {
        Remove-Item Env:DOCKPS_HOST -ErrorAction Ignore
        if ($registry) { $registry | Stop-Registry -Confirm:$false }
        if ($daemon -and (Test-Path "/proc/$($daemon.Pid)")) { & kill -TERM $daemon.Pid }
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }
}

function Measure-DaemonStart {
    # Start-to-first-/_ping, idle RSS and PSS of a daemon; medians over $Runs restarts on one data
    # root (the first start, which creates the data root, is reported on its own).
    param([string] $Name, [scriptblock] $Start, [int] $Runs = 5)
    $dir = New-DemoRoot
    $sock = "$dir/d.sock"
    $first = $null; $times = @(); $rss = @(); $pss = @()
    try {
        for ($i = 0; $i -le $Runs; $i++) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $process = & $Start $dir $sock
            while ((& curl -s -o /dev/null -w '%{http_code}' --unix-socket $sock http://d/_ping) -ne '200') {
                if ($process.HasExited) { throw "$Name exited during start: $(Get-Content "$dir/log" -Raw)" }
                if ($watch.Elapsed.TotalSeconds -gt 30) { throw "$Name did not answer within 30 s" }
                Start-Sleep -Milliseconds 2
            }
            $elapsed = $watch.Elapsed.TotalMilliseconds
            if ($i -eq 0) { $first = $elapsed } else { $times += $elapsed }
            Start-Sleep -Seconds 2
            $rollup = Get-Content "/proc/$($process.Id)/smaps_rollup"
            $rss += [double](($rollup | Where-Object { $_ -like 'Rss:*' }) -replace '\D', '') / 1024
            $pss += [double](($rollup | Where-Object { $_ -like 'Pss:*' }) -replace '\D', '') / 1024
            & kill -TERM $process.Id
            $process.WaitForExit()
        }
    }
    finally {
        if ($process -and -not $process.HasExited) { $process.Kill() }
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }
    [pscustomobject]@{ Name = $Name; FirstStartMs = $first; StartMs = Get-BenchMedian $times; IdleRssMiB = Get-BenchMedian $rss; IdlePssMiB = Get-BenchMedian $pss }
}

function Invoke-DockBench {
    <#
    .SYNOPSIS
        Prints the speed figures: medians, and ratios against Docker where dockerd is installed.
    #>
    param([string] $Root, [string] $ModulePath)

    $pwsh = Get-PwshPath
    Write-Host '==> module import (warm pwsh, 15 runs)' -ForegroundColor Cyan
    $script = "Import-Module '$ModulePath' -WarningVariable w; if (`$w) { throw 'warnings' }; " +
        '$null = Get-Command Get-DockInfo; ' +
        "`$times = 1..15 | ForEach-Object { Remove-Module DockPS -ErrorAction Ignore; (Measure-Command { Import-Module '$ModulePath' }).TotalMilliseconds }; " +
        '($times | Sort-Object)[7]'
    $import = [double](& $pwsh -NoProfile -NonInteractive -Command $script | Select-Object -Last 1)
    Write-Host ('    Import-Module DockPS: median {0:N1} ms (target < 300 ms)' -f $import)

    Write-Host '==> daemon start-to-first-ping and idle RSS (5 runs)' -ForegroundColor Cyan
    $dockpsd = Join-Path (Split-Path $ModulePath) 'dockpsd'
    $ours = Measure-DaemonStart 'dockpsd' {
        param($dir, $sock)
        Start-Process $dockpsd -ArgumentList '-H', "unix://$sock", '--data-root', "$dir/data", '--exec-root', "$dir/exec" -RedirectStandardError "$dir/log" -PassThru
    }
    $rows = @($ours)
    $dockerd = Get-Command dockerd -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($dockerd) {
        $rows += Measure-DaemonStart 'dockerd' {
            param($dir, $sock)
            Start-Process $dockerd.Source -ArgumentList '-H', "unix://$sock", '--data-root', "$dir/data", '--exec-root', "$dir/exec",
                '--pidfile', "$dir/docker.pid", '--iptables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none' -RedirectStandardError "$dir/log" -PassThru
        }
    }
    foreach ($r in $rows) {
        Write-Host ('    {0}: restart-to-ping median {1:N0} ms (target < 300; first start on a new data root {2:N0} ms), idle RSS median {3:N1} MiB (target < 60; PSS {4:N1} MiB)' -f
            $r.Name, $r.StartMs, $r.FirstStartMs, $r.IdleRssMiB, $r.IdlePssMiB)
        if ($r.Name -ne 'dockpsd') {
            Write-Host ('    dockpsd/{0}: {1:N2}x restart time, {2:N2}x RSS' -f $r.Name, ($ours.StartMs / $r.StartMs), ($ours.IdleRssMiB / $r.IdleRssMiB))
        }
    }
    if (-not $dockerd) { Write-Host '    dockerd not installed: no ratio' }

    Invoke-ImageBench -Root $Root -ModulePath $ModulePath
    Import-Module (Join-Path $PSScriptRoot 'RegistryBench.psm1') -Force
    Invoke-RegistryBench -Root $Root -ModulePath $ModulePath
    Invoke-ContainerBenchSuite -Root $Root -ModulePath $ModulePath
}

function Invoke-ContainerBenchSuite {
    # The container figures against a fresh dockpsd, and against dockerd when it is installed
    # (its own roots, no iptables or bridge, stopped by PID), as ratios.
    param([string] $Root, [string] $ModulePath)
    Import-Module (Join-Path $PSScriptRoot 'BaseImage.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ContainerBench.psm1') -Force
    Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force
    # Global: the bench module times the cmdlets too, and looks for them from its own scope.
    Import-Module $ModulePath -Force -Global
    $dir = New-DemoRoot
    $daemon = Start-DockDaemon -HostAddress "unix://$dir/d.sock" -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
    $dockerd = $null
    try {
        $tar = (New-BusyboxTarball "$dir/busybox.tar").FullName
        $null = Import-Image $tar busybox:latest -HostAddress $daemon.HostAddress
        Write-Host '==> the runtime alone (20 runs)' -ForegroundColor Cyan
        $bare = Measure-BareRuntime -Dir $dir -Tarball $tar
        $ours = Invoke-ContainerBench -Address $daemon.HostAddress -Dir $dir -ModuleDir (Split-Path $ModulePath) -WithCmdlets
        if ($bare) {
            # (The engine's bundles are Docker's: seccomp and more mounts than the runtime's default one.)
            Write-Host '==> [dockpsd] what the engine adds to the runtime''s own run (8 rounds of 4 each)' -ForegroundColor Cyan
            $null = Measure-EngineShare -Address $daemon.HostAddress -Bare $bare
        }
        $reference = Get-Command dockerd -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $reference) { Write-Host '    dockerd not installed: no ratios (Docker figures above are from DESIGN.md)'; return }
        # Its containers' cgroups go under a parent of this run's own, removed at the end.
        $cgroupParent = "dockps-bench-$(Split-Path $dir -Leaf)"
        $dockerd = Start-Process $reference.Source -PassThru -RedirectStandardError "$dir/dockerd.log" -ArgumentList '-H', "unix://$dir/docker.sock",
            '--data-root', "$dir/docker-data", '--exec-root', "$dir/docker-exec", '--pidfile', "$dir/docker.pid", '--cgroup-parent', "/$cgroupParent",
            '--iptables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none'
        $null = Wait-DockCondition -TimeoutSeconds 30 -Condition { Test-Path "$dir/docker.sock" }
        & docker -H "unix://$dir/docker.sock" import -c 'CMD ["sh"]' $tar busybox:latest | Out-Null
        $theirs = Invoke-ContainerBench -Address "unix://$dir/docker.sock" -Dir $dir -ModuleDir (Split-Path $ModulePath) -Label 'dockerd'
        foreach ($key in 'Run', 'CreateRemove', 'CliRun', 'Start100', 'List') {
            if ($ours.$key -and $theirs.$key) { Write-Host ('    {0}: dockpsd {1:N1} ms, dockerd {2:N1} ms ({3:N1}x faster)' -f $key, $ours.$key, $theirs.$key, ($theirs.$key / $ours.$key)) }
        }
        Write-Host ('    logging: dockpsd {0:N0} MiB/s, dockerd {1:N0} MiB/s' -f $ours.LogMiBs, $theirs.LogMiBs)
    }
    finally {
        if ($dockerd) {
            Stop-Process -Id $dockerd.Id -ErrorAction Ignore
            $null = $dockerd.WaitForExit(30000)
            Get-Item "/sys/fs/cgroup/$cgroupParent", "/sys/fs/cgroup/*/$cgroupParent" -ErrorAction Ignore | ForEach-Object { $_.Delete() }
        }
        $daemon | Stop-DockDaemon -Confirm:$false -ErrorAction Continue
        Get-Content /proc/self/mountinfo | ForEach-Object { ($_ -split ' ')[4] } | Where-Object { $_.StartsWith("$dir/") } |
            Sort-Object Length -Descending | ForEach-Object { & umount -l $_ }
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }
}

function Invoke-ImageBench {
    # Import, listing 1,000 images, and a 100 MiB single-layer push and pull against Debian's
    # docker-registry on loopback, beside a raw curl upload and download of the same blob.
    param([string] $Root, [string] $ModulePath)
    Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BaseImage.psm1') -Force
    Import-Module $ModulePath -Force
    $dir = New-DemoRoot
    $daemon = Start-DockDaemon -HostAddress "unix://$dir/d.sock" -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
    $registry = $null
    try {
        $env:DOCKPS_HOST = $daemon.HostAddress
        Write-Host '==> Import-Image of the busybox rootfs (2 MiB, 5 runs)' -ForegroundColor Cyan
        $tar = (New-BusyboxTarball "$dir/busybox.tar").FullName
        $times = 1..5 | ForEach-Object { (Measure-Command { $null = Import-Image $tar "bench/import:$_" }).TotalMilliseconds }
        Write-Host ('    median {0:N1} ms' -f (Get-BenchMedian $times))

        Write-Host '==> Get-Image over 1,000 images (5 runs)' -ForegroundColor Cyan
        $null = 1..995 | ForEach-Object { Import-Image $tar "bench/many:$_" -Change "LABEL n=$_" }
        $count = @(Get-Image).Count
        $times = 1..5 | ForEach-Object { (Measure-Command { $null = Get-Image }).TotalMilliseconds }
        Write-Host ('    {0} images: median {1:N1} ms (target < 100 ms)' -f $count, (Get-BenchMedian $times))

        Write-Host '==> push and pull of a 100 MiB single-layer image, Debian docker-registry on loopback (5 runs)' -ForegroundColor Cyan
        $registry = Start-TestRegistry
        $null = New-Item -ItemType Directory "$dir/big"
        & head -c 104857600 /dev/urandom > "$dir/big/blob.bin"
        & tar -C "$dir/big" -cf "$dir/big.tar" blob.bin
        $size = (Get-Item "$dir/big.tar").Length / 1MB
        $push = @(); $pull = @(); $curlUp = @(); $curlDown = @()
        foreach ($i in 1..5) {
            $name = "$($registry.Address)/bench/big${i}:1"
            $null = Import-Image "$dir/big.tar" $name
            $push += $size / (Measure-Command { Publish-Image $name }).TotalSeconds
            Remove-Image $name -Force -Confirm:$false
            $pull += $size / (Measure-Command { $null = Receive-Image $name }).TotalSeconds
            Remove-Image $name -Force -Confirm:$false
            $location = (& curl -s -i -X POST "http://$($registry.Address)/v2/bench/curl$i/blobs/uploads/" | Select-String '^Location:').ToString().Split(' ', 2)[1].Trim()
            $digest = 'sha256:' + (Get-FileHash "$dir/big.tar" -Algorithm SHA256).Hash.ToLowerInvariant()
            $separator = if ($location.Contains('?')) { '&' } else { '?' }
            $curlUp += $size / (Measure-Command { & curl -s -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --upload-file "$dir/big.tar" "$location${separator}digest=$digest" }).TotalSeconds
            $curlDown += $size / (Measure-Command { & curl -s -o /dev/null "http://$($registry.Address)/v2/bench/curl$i/blobs/$digest" }).TotalSeconds
        }
        Write-Host ('    push: median {0:N0} MiB/s; curl upload of the same blob {1:N0} MiB/s (push/curl = {2:P0}; target >= 80%)' -f (Get-BenchMedian $push), (Get-BenchMedian $curlUp), ((Get-BenchMedian $push) / (Get-BenchMedian $curlUp)))
        Write-Host ('    pull to unpacked snapshot: median {0:N0} MiB/s (target >= 400); curl download {1:N0} MiB/s' -f (Get-BenchMedian $pull), (Get-BenchMedian $curlDown))
        if (-not (Get-Command dockerd -ErrorAction Ignore)) { Write-Host '    dockerd not installed: no docker figures' }
    }
    finally {
        Remove-Item Env:DOCKPS_HOST -ErrorAction Ignore
        if ($registry) { Stop-TestRegistry $registry }
        $daemon | Stop-DockDaemon -Confirm:$false -ErrorAction Continue
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Invoke-DockTestSuites, Invoke-DockDemo, Invoke-DockBench, Invoke-ContainerBenchSuite
