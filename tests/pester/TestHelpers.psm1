# Shared helpers for the Pester suites: every suite drives its own dockpsd on a temp socket and
# data root, and removes every process and file it made, even when a test fails.
#
# Tests must never reach the default socket (/run/dockps/dockps.sock): the module would start a
# real daemon there. Use-SafeDockHost points $env:DOCKPS_HOST at a socket nobody listens on, so
# a forgotten -HostAddress fails loudly instead.

Set-StrictMode -Version Latest

function Get-DockTestModulePath {
    <#
    .SYNOPSIS
        The built module manifest under test: $env:DOCKPS_TEST_MODULE, else out/DockPS/DockPS.psd1.
    #>
    [OutputType([string])]
    param()
    if ($env:DOCKPS_TEST_MODULE) { return $env:DOCKPS_TEST_MODULE }
    $path = Join-Path $PSScriptRoot '../../out/DockPS/DockPS.psd1'
    if (-not (Test-Path $path)) { throw "DOCKPS_TEST_MODULE is not set and $path does not exist; run ./build.ps1 build" }
    (Resolve-Path $path).Path
}

function Import-DockTestModule {
    <#
    .SYNOPSIS
        Imports the module under test into the global session state (once) and returns it.
    #>
    [OutputType([System.Management.Automation.PSModuleInfo])]
    param()
    $path = Get-DockTestModulePath
    $loaded = Get-Module DockPS
    if ($loaded -and $loaded.ModuleBase -eq (Split-Path $path)) { return $loaded }
    Import-Module $path -Global -Force -PassThru
}

function Get-DockpsdPath {
    <#
    .SYNOPSIS
        The daemon executable beside the module manifest under test.
    #>
    [OutputType([string])]
    param()
    Join-Path (Split-Path (Get-DockTestModulePath)) 'dockpsd'
}

function New-DockTestDir {
    <#
    .SYNOPSIS
        A short fresh temp folder, /tmp/dps-XXXXXXXX (Unix socket paths must stay under 108 bytes).
    #>
    [OutputType([string])]
    param()
    $dir = "/tmp/dps-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $dir
    $dir
}

function Use-SafeDockHost {
    <#
    .SYNOPSIS
        Points $env:DOCKPS_HOST at a socket nobody listens on; returns the previous value for
        Restore-DockHost.
    #>
    param()
    $previous = [pscustomobject]@{ Value = $env:DOCKPS_HOST }
    $env:DOCKPS_HOST = 'unix:///tmp/dps-no-daemon-here.sock'
    $previous
}

function Restore-DockHost {
    param($Previous)
    if ($null -ne $Previous -and $Previous.Value) { $env:DOCKPS_HOST = $Previous.Value }
    else { Remove-Item Env:DOCKPS_HOST -ErrorAction Ignore }
}

function Get-FreeTcpPort {
    <#
    .SYNOPSIS
        A loopback TCP port that was free a moment ago.
    #>
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Test-DockAnswers {
    <#
    .SYNOPSIS
        Whether something accepts connections at a unix:// or tcp:// address.
    #>
    [OutputType([bool])]
    param([Parameter(Mandatory)] [string] $Address)
    try {
        if ($Address -like 'unix://*') {
            $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
            $endpoint = [System.Net.Sockets.UnixDomainSocketEndPoint]::new($Address.Substring('unix://'.Length))
        }
        else {
            $uri = [uri]($Address -replace '^tcp://', 'http://')
            $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
            $endpoint = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Parse($uri.Host), $uri.Port)
        }
        try { $socket.Connect($endpoint); $true } finally { $socket.Dispose() }
    }
    catch { $false }
}

function Test-ProcessAlive {
    <#
    .SYNOPSIS
        Whether a process with this PID exists and has not exited (a zombie has exited).
    #>
    [OutputType([bool])]
    param([Parameter(Mandatory)] [int] $ProcessId)
    $status = "/proc/$ProcessId/status"
    if (-not (Test-Path $status)) { return $false }
    $state = Get-Content $status -ErrorAction Ignore | Where-Object { $_ -like 'State:*' }
    [bool]$state -and $state -notmatch 'State:\s+[ZX]'
}

function Get-ProcessCommandLine {
    [OutputType([string[]])]
    param([Parameter(Mandatory)] [int] $ProcessId)
    try { @(([System.IO.File]::ReadAllText("/proc/$ProcessId/cmdline")) -split "`0" | Where-Object { $_ }) }
    catch { @() }
}

function Get-DockpsdProcessId {
    <#
    .SYNOPSIS
        PIDs of live dockpsd processes whose command line mentions a path under -Under.
    #>
    [OutputType([int[]])]
    param([Parameter(Mandatory)] [string] $Under)
    foreach ($proc in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
        $processId = [int]$proc.Name
        $cmdline = @(Get-ProcessCommandLine $processId)
        if ($cmdline.Count -eq 0) { continue }
        $isDockpsd = @($cmdline | Select-Object -First 2 | Where-Object { (Split-Path $_ -Leaf) -in 'dockpsd', 'dockpsd.dll' }).Count -gt 0
        if ($isDockpsd -and ($cmdline -join ' ').Contains($Under) -and (Test-ProcessAlive $processId)) { $processId }
    }
}

function Wait-DockCondition {
    <#
    .SYNOPSIS
        Polls a condition until it holds or the deadline passes; returns whether it held.
        (A safety net against hangs, not a speed assertion.)
    #>
    [OutputType([bool])]
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSeconds = 30, [int] $IntervalMilliseconds = 50)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        if (& $Condition) { return $true }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    } while ([DateTime]::UtcNow -lt $deadline)
    [bool](& $Condition)
}

function New-TestDaemon {
    <#
    .SYNOPSIS
        Starts a dockpsd with Start-DockDaemon in a fresh temp folder (its own socket, data root and
        exec root). Returns Daemon (the DockDaemon), Dir, Address, Socket, DataRoot, ExecRoot, PidFile.
    #>
    [CmdletBinding()]
    param()
    $null = Import-DockTestModule
    $dir = New-DockTestDir
    $socket = "$dir/d.sock"
    $address = "unix://$socket"
    $test = [pscustomobject]@{
        Daemon   = $null
        Process  = $null
        Dir      = $dir
        Address  = $address
        Socket   = $socket
        DataRoot = "$dir/data"
        ExecRoot = "$dir/exec"
        PidFile  = "$dir/exec/dockpsd.pid"
        LogPath  = "$dir/exec/dockpsd.log"
    }
    try {
        $test.Daemon = Start-DockDaemon -HostAddress $address -DataRoot $test.DataRoot -ExecRoot $test.ExecRoot -PassThru -ErrorAction Stop
    }
    catch {
        Remove-TestDaemon $test
        throw
    }
    $test
}

function Start-TestDaemonProcess {
    <#
    .SYNOPSIS
        Starts the dockpsd executable directly (Start-Process), with its own temp folder, a pid file
        and any extra flags, and waits until it answers. -Tcp listens on tcp://127.0.0.1:<free port>.
        Returns the same shape as New-TestDaemon, with Process set and Daemon empty.
    #>
    [CmdletBinding()]
    param([switch] $Tcp, [string[]] $Label = @(), [string[]] $ExtraArgument = @(), [int] $TimeoutSeconds = 30)
    $dir = New-DockTestDir
    $address = if ($Tcp) { "tcp://127.0.0.1:$(Get-FreeTcpPort)" } else { "unix://$dir/d.sock" }
    $test = [pscustomobject]@{
        Daemon   = $null
        Process  = $null
        Dir      = $dir
        Address  = $address
        Socket   = if ($Tcp) { $null } else { "$dir/d.sock" }
        DataRoot = "$dir/data"
        ExecRoot = "$dir/exec"
        PidFile  = "$dir/dockpsd.pid"
        LogPath  = "$dir/dockpsd.log"
    }
    $arguments = @('-H', $address, '--data-root', $test.DataRoot, '--exec-root', $test.ExecRoot, '--pidfile', $test.PidFile)
    foreach ($l in $Label) { $arguments += '--label', $l }
    $arguments += $ExtraArgument
    try {
        $test.Process = Start-Process -FilePath (Get-DockpsdPath) -ArgumentList $arguments -RedirectStandardError $test.LogPath `
            -RedirectStandardOutput "$dir/dockpsd.out" -PassThru
        $ready = Wait-DockCondition -TimeoutSeconds $TimeoutSeconds -Condition { $test.Process.HasExited -or (Test-DockAnswers $address) }
        if ($test.Process.HasExited) { throw "dockpsd exited with code $($test.Process.ExitCode): $(Get-Content $test.LogPath -Raw -ErrorAction Ignore)" }
        if (-not $ready) { throw "dockpsd did not answer at $address within $TimeoutSeconds s: $(Get-Content $test.LogPath -Raw -ErrorAction Ignore)" }
    }
    catch {
        Remove-TestDaemon $test
        throw
    }
    $test
}

function Get-TestDaemonPid {
    param($TestDaemon)
    if ($TestDaemon.Daemon) { return $TestDaemon.Daemon.Pid }
    if ($TestDaemon.Process) { return $TestDaemon.Process.Id }
    $null
}

function Send-DaemonSignal {
    <#
    .SYNOPSIS
        Sends a signal (HUP by default) to the test daemon's PID, and to nothing else.
    #>
    param([Parameter(Mandatory)] $TestDaemon, [string] $Signal = 'HUP')
    $processId = Get-TestDaemonPid $TestDaemon
    if (-not $processId) { throw 'the test daemon has no PID' }
    & /bin/kill -s $Signal $processId
    if ($LASTEXITCODE -ne 0) { throw "kill -s $Signal $processId failed" }
}

function Remove-TestDaemon {
    <#
    .SYNOPSIS
        Stops the test daemon (Stop-DockDaemon, then SIGKILL by its own PID if it still lives) and
        removes its temp folder. Safe to call twice and after a failed start.
    #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] $TestDaemon)
    if ($null -eq $TestDaemon) { return }
    Remove-TestContainer $TestDaemon
    $processId = Get-TestDaemonPid $TestDaemon
    if ($processId -and (Test-ProcessAlive $processId)) {
        if ($TestDaemon.Socket) {
            Stop-DockDaemon -HostAddress $TestDaemon.Address -TimeoutSeconds 10 -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        elseif (Test-Path $TestDaemon.PidFile) {
            Stop-DockDaemon -PidFile $TestDaemon.PidFile -TimeoutSeconds 10 -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        if (Test-ProcessAlive $processId) {
            # Only this PID, and only while it is still a dockpsd.
            $cmdline = Get-ProcessCommandLine $processId
            if (($cmdline -join ' ') -match 'dockpsd') { & /bin/kill -s KILL $processId 2>$null }
            $null = Wait-DockCondition -TimeoutSeconds 10 -Condition { -not (Test-ProcessAlive $processId) }
        }
    }
    # Any daemon a failed test left under this folder (e.g. a second start that did not refuse).
    foreach ($stray in @(Get-DockpsdProcessId -Under $TestDaemon.Dir)) {
        & /bin/kill -s KILL $stray 2>$null
    }
    if ($TestDaemon.Process) { $TestDaemon.Process.Dispose() }
    # Containers outlive their daemon by design: whatever a failed test left running under this
    # folder is ended here (its monitors, by their own PIDs), and its mounts are undone.
    foreach ($shim in @(Get-ContainerMonitorId -Under $TestDaemon.Dir)) { & /bin/kill -s KILL $shim 2>$null }
    # ...with the processes in their cgroups, and then the cgroups (named by container ID).
    $dataRoot = if ($TestDaemon.PSObject.Properties['DataRoot']) { $TestDaemon.DataRoot } else { Join-Path $TestDaemon.Dir 'data' }
    foreach ($id in @(Get-ChildItem (Join-Path $dataRoot 'containers') -Directory -ErrorAction Ignore | ForEach-Object Name)) {
        $cgroups = @(Get-ChildItem "/sys/fs/cgroup/*/dockps/$id", "/sys/fs/cgroup/unified/dockps/$id" -Directory -ErrorAction Ignore)
        foreach ($task in $cgroups | ForEach-Object { Get-Content (Join-Path $_.FullName 'cgroup.procs') -ErrorAction Ignore } | Sort-Object -Unique) {
            & /bin/kill -s KILL $task 2>$null
        }
        foreach ($cgroup in $cgroups) {
            $null = Wait-DockCondition -TimeoutSeconds 5 -Condition { -not (Get-Content (Join-Path $cgroup.FullName 'cgroup.procs') -ErrorAction Ignore) }
            try { [System.IO.Directory]::Delete($cgroup.FullName) } catch [System.IO.IOException] { }
        }
    }
    foreach ($mount in @(Get-MountUnder $TestDaemon.Dir)) { & /bin/umount -l $mount 2>$null }
    if ($TestDaemon.Dir -and $TestDaemon.Dir -like '/tmp/dps-*' -and (Test-Path $TestDaemon.Dir)) {
        Remove-Item $TestDaemon.Dir -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Remove-TestContainer {
    <#
    .SYNOPSIS
        Force-removes every container (and its anonymous volumes) of a test daemon that still answers.
    #>
    param([Parameter(Mandatory)] $TestDaemon)
    if (-not $TestDaemon.Socket -or -not (Test-Path $TestDaemon.Socket)) { return }
    $list = & curl -s --max-time 10 --unix-socket $TestDaemon.Socket 'http://localhost/containers/json?all=1' 2>$null
    if ($LASTEXITCODE -ne 0 -or -not $list) { return }
    foreach ($container in @($list | ConvertFrom-Json)) {
        $null = & curl -s --max-time 30 --unix-socket $TestDaemon.Socket -X DELETE "http://localhost/containers/$($container.Id)?force=1&v=1" 2>$null
    }
}

function Get-ContainerMonitorId {
    <#
    .SYNOPSIS
        PIDs of dockps-shim processes whose state folder is under -Under (the test's own containers).
    #>
    param([Parameter(Mandatory)] [string] $Under)
    foreach ($dir in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -match '^\d+$') {
        $cmdline = Get-ProcessCommandLine ([int]$dir.Name)
        if ($cmdline -and ([System.IO.Path]::GetFileName($cmdline[0]) -eq 'dockps-shim')) {
            $state = [array]::IndexOf($cmdline, '--state')
            if ($state -ge 0 -and $cmdline[$state + 1].StartsWith($Under)) { [int]$dir.Name }
        }
    }
}

function Get-MountUnder {
    <#
    .SYNOPSIS
        Mount points at or below a folder, deepest first (from /proc/self/mountinfo).
    #>
    param([Parameter(Mandatory)] [string] $Path)
    @(Get-Content /proc/self/mountinfo | ForEach-Object { ($_ -split ' ')[4] } |
        Where-Object { $_ -eq $Path -or $_.StartsWith("$Path/") } | Sort-Object Length -Descending)
}

function Invoke-DockerCli {
    <#
    .SYNOPSIS
        Runs the real docker CLI (its own config folder, none of the machine's DOCKER_* settings); returns ExitCode, StdOut, StdErr.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $Arguments,
        [Parameter(Mandatory)] [string] $ConfigDir,
        [hashtable] $Environment = @{},
        [string] $StdIn,
        [int] $TimeoutSeconds = 60
    )
    $start = [System.Diagnostics.ProcessStartInfo]::new((Get-Command docker -CommandType Application | Select-Object -First 1).Source)
    foreach ($a in $Arguments) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    foreach ($name in 'DOCKER_HOST', 'DOCKER_API_VERSION', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH') {
        $null = $start.Environment.Remove($name)
    }
    # A private config folder: no contexts or settings from the machine's ~/.docker.
    $start.Environment['DOCKER_CONFIG'] = $ConfigDir
    foreach ($key in $Environment.Keys) { $start.Environment[$key] = $Environment[$key] }
    if ($StdIn) { $start.RedirectStandardInput = $true }
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if ($StdIn) {
            $source = [System.IO.File]::OpenRead($StdIn)
            try { $source.CopyTo($process.StandardInput.BaseStream) } finally { $source.Dispose(); $process.StandardInput.Close() }
        }
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill()
            throw "docker $($Arguments -join ' ') did not finish within $TimeoutSeconds s"
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
    }
    finally { $process.Dispose() }
}

function Start-TestRegistry {
    <#
    .SYNOPSIS
        Starts Debian's docker-registry on 127.0.0.1 (a free port, its own storage folder);
        -User/-Password turn on htpasswd basic auth. Returns Address (host:port), Process, Dir.
    #>
    [CmdletBinding()]
    param([string] $User, [string] $Password)
    $binary = '/usr/bin/docker-registry'
    if (-not (Test-Path $binary)) { throw "$binary is missing: apt-get install docker-registry apache2-utils" }
    $dir = New-DockTestDir
    $port = Get-FreeTcpPort
    $auth = ''
    if ($User) {
        & htpasswd -Bbc "$dir/htpasswd" $User $Password 2>$null
        $auth = "auth:`n  htpasswd:`n    realm: dockps-test`n    path: $dir/htpasswd`n"
    }
    Set-Content "$dir/config.yml" @"
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: dockps-test-secret
$auth
"@
    $process = Start-Process $binary -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError "$dir/registry.log" -RedirectStandardOutput "$dir/registry.out" -PassThru
    if (-not (Wait-DockCondition -TimeoutSeconds 30 -Condition { Test-DockAnswers "tcp://127.0.0.1:$port" })) {
        $process.Kill()
        throw "docker-registry did not start: $(Get-Content "$dir/registry.log" -Raw)"
    }
    [pscustomobject]@{ Address = "127.0.0.1:$port"; Process = $process; Dir = $dir }
}

function Stop-TestRegistry {
    <#
    .SYNOPSIS
        Stops a registry from Start-TestRegistry by its PID and removes its folder.
    #>
    param([Parameter(Position = 0)] $Registry)
    if ($null -eq $Registry) { return }
    if (-not $Registry.Process.HasExited) { $Registry.Process.Kill(); $Registry.Process.WaitForExit() }
    Remove-Item $Registry.Dir -Recurse -Force -ErrorAction Ignore
}

function Start-TestDockerd {
    <#
    .SYNOPSIS
        Starts Debian's dockerd 20.10 (docker.io) on its own socket, data root and exec root, with
        no bridge, no iptables and no forwarding, so it touches nothing outside its folder.
        Returns Address (unix://…), Process, Dir and LogPath.
    #>
    [CmdletBinding()]
    param()
    $binary = '/usr/sbin/dockerd'
    if (-not (Test-Path $binary)) { throw "$binary is missing: apt-get install docker.io" }
    $dir = New-DockTestDir
    Set-Content "$dir/daemon.json" '{}'
    $arguments = '--config-file', "$dir/daemon.json", '--data-root', "$dir/data", '--exec-root', "$dir/exec",
        '--pidfile', "$dir/dockerd.pid", '--host', "unix://$dir/docker.sock",
        '--bridge=none', '--iptables=false', '--ip-forward=false', '--ip-masq=false'
    $process = Start-Process $binary -ArgumentList $arguments -RedirectStandardError "$dir/dockerd.log" -RedirectStandardOutput "$dir/dockerd.out" -PassThru
    $docker = [pscustomobject]@{ Address = "unix://$dir/docker.sock"; Process = $process; Dir = $dir; LogPath = "$dir/dockerd.log" }
    if (-not (Wait-DockCondition -TimeoutSeconds 60 -Condition { $process.HasExited -or (Test-DockAnswers $docker.Address) }) -or $process.HasExited) {
        $log = Get-Content $docker.LogPath -Raw -ErrorAction Ignore
        Stop-TestDockerd $docker
        throw "dockerd did not start: $log"
    }
    $docker
}

function Stop-TestDockerd {
    <#
    .SYNOPSIS
        Stops a dockerd from Start-TestDockerd by its PID (it stops the containerd it started),
        unmounts whatever it left under its folder and removes the folder.
    #>
    param([Parameter(Position = 0)] $Docker)
    if ($null -eq $Docker) { return }
    if (-not $Docker.Process.HasExited) {
        $null = & kill -TERM $Docker.Process.Id
        if (-not $Docker.Process.WaitForExit(30000)) { $Docker.Process.Kill($true); $Docker.Process.WaitForExit() }
    }
    foreach ($mount in Get-MountUnder $Docker.Dir) { $null = & umount -l $mount 2>&1 }
    Remove-Item $Docker.Dir -Recurse -Force -ErrorAction Ignore
}

function Get-DockErrorRecord {
    <#
    .SYNOPSIS
        Runs a script block (use -ErrorAction Stop inside) and returns the error it threw, else $null.
    #>
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    try { $null = & $ScriptBlock }
    catch { return $_ }
    $null
}

Export-ModuleMember -Function Get-DockTestModulePath, Import-DockTestModule, Get-DockpsdPath, New-DockTestDir,
    Use-SafeDockHost, Restore-DockHost, Get-FreeTcpPort, Test-DockAnswers, Test-ProcessAlive, Get-ProcessCommandLine,
    Get-DockpsdProcessId, Wait-DockCondition, New-TestDaemon, Start-TestDaemonProcess, Get-TestDaemonPid,
    Send-DaemonSignal, Remove-TestDaemon, Get-DockErrorRecord, Invoke-DockerCli, Start-TestRegistry, Stop-TestRegistry, Start-TestDockerd, Stop-TestDockerd,
    Remove-TestContainer, Get-ContainerMonitorId, Get-MountUnder
