# The container cmdlets against a real dockpsd with a busybox image, cross-checked with the real
# docker CLI on the same daemon. Every container a test makes is removed in AfterAll.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $env:DOCKPS_HOST = $t.Address
    $dockerConfig = Join-Path $t.Dir 'docker-config'
    $null = New-Item -ItemType Directory $dockerConfig
    $null = Import-Image (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName busybox:latest -Change 'CMD ["sh"]'
    function docker { Invoke-DockerCli -ConfigDir $dockerConfig -Arguments (@('-H', $t.Address) + $args) }
    function Get-ContainerName { @(Get-Container -All | ForEach-Object Name | Sort-Object) }
    # A container that runs until it is stopped; sleep as PID 1 ignores SIGTERM, so stops use -Timeout 0.
    function New-Sleeper([string] $Name) { Invoke-Container busybox -Detach -Name $Name -- sleep 600 }
    # Input for PowerShell.BeginInvoke that is complete: an open one keeps the pipeline waiting for more.
    function New-ClosedInput {
        $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $in.Complete()
        , $in
    }
}

AfterAll {
    if ($t) {
        Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -Volumes -Confirm:$false -ErrorAction SilentlyContinue
        Get-Volume -ErrorAction SilentlyContinue | Remove-Volume -Confirm:$false -ErrorAction SilentlyContinue
    }
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'Invoke-Container' {
    It 'runs a command, writes its output lines and with -Remove leaves nothing' {
        $before = Get-ContainerName
        Invoke-Container busybox -Remove -- echo hello world | Should -Be 'hello world'
        Get-ContainerName | Should -Be $before
    }

    It 'removes each of many runs that end at once, and a container removed right after its stop' {
        # The monitor still writes in its folder just after the exit; a removal then once raced it
        # and left the container "removing" for good, with its waiter (and the run) hanging.
        $before = Get-ContainerName
        foreach ($i in 1..25) { Invoke-Container busybox -Remove -Volume "quick-$($i):/data" -- true }
        foreach ($i in 1..10) {
            $null = Invoke-Container busybox -Detach -Name "stop-rm-$i" -- sleep 600
            Stop-Container "stop-rm-$i" -Timeout 0
            Remove-Container "stop-rm-$i"
        }
        Get-ContainerName | Should -Be $before
        Get-Volume quick-* | Remove-Volume -Confirm:$false
    }

    It 'writes stderr to the information stream tagged stderr, not to the pipeline' {
        $out = Invoke-Container busybox -Remove -InformationVariable info -- sh -c 'echo out; echo err >&2'
        $out | Should -Be 'out'
        @($info).Count | Should -Be 1
        "$($info[0].MessageData)" | Should -Be 'err'
        $info[0].Tags | Should -Contain 'stderr'
    }

    It 'returns the exit code 3 in a DockRunResult with -PassThru' {
        $r = Invoke-Container busybox -Remove -PassThru -- sh -c 'echo a; echo b >&2; exit 3' 6>$null
        $r | Should -BeOfType ([DockPS.Types.DockRunResult])
        $r.ExitCode | Should -Be 3
        $r.Succeeded | Should -BeFalse
        $r.Output | Should -Be @('a')
        $r.Error | Should -Be @('b')
        $r.Removed | Should -BeTrue
        $r.Id | Should -Match '^[0-9a-f]{64}$'
        Get-Container -Id $r.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'makes a non-zero exit code a non-terminating error only with -ErrorOnExitCode' {
        Invoke-Container busybox -Remove -ErrorVariable quiet -- false
        $quiet | Should -BeNullOrEmpty
        Invoke-Container busybox -Remove -ErrorOnExitCode -ErrorVariable failed -ErrorAction SilentlyContinue -- sh -c 'exit 4'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ContainerExitedWithError*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failed[0].Exception.Message | Should -BeLike '*exited with code 4'
    }

    It 'sends piped strings to the container''s stdin, one line each' {
        'first', 'second' | Invoke-Container busybox -Remove -- cat | Should -Be @('first', 'second')
    }

    It 'loses no output of a container that ends at once (attached before the start)' {
        $lines = Invoke-Container busybox -Remove -- seq 1 300
        $lines.Count | Should -Be 300
        $lines[0] | Should -Be '1'
        $lines[-1] | Should -Be '300'
    }

    It 'gives a container with -Tty one stream without carriage returns' {
        Invoke-Container busybox -Remove -Tty -- sh -c 'echo one; echo two >&2' | Should -Be @('one', 'two')
    }

    It 'returns the running container at once with -Detach' {
        $c = New-Sleeper 'run-detached'
        $c | Should -BeOfType ([DockPS.Types.DockContainer])
        $c.State | Should -Be 'running'
        $c.Name | Should -Be 'run-detached'
        Remove-Container run-detached -Force
    }

    It 'reports an image that is not there as ObjectNotFound and creates nothing' {
        $before = Get-ContainerName
        $err = Get-DockErrorRecord { Invoke-Container no-such-image:1 -ErrorAction Stop -- true }
        $err.FullyQualifiedErrorId | Should -BeLike 'ImageNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-ContainerName | Should -Be $before
    }
}

Describe 'New-Container' {
    It 'creates a container in the created state with what was asked for' {
        $c = New-Container busybox -Name made -Label @{ tier = 'web' } -Environment @{ MODE = 'test' } -WorkingDirectory /tmp `
            -Memory 64MB -Cpus 0.5 -PidsLimit 50 -Volume 'made-data:/data:ro' -Tmpfs '/scratch:size=1m' -LogOption @{ 'max-size' = '1m' } `
            -- sh -c 'echo hi'
        $c | Should -BeOfType ([DockPS.Types.DockContainer])
        $c.State | Should -Be 'created'
        $c.Status | Should -Be 'Created'
        $c.Id | Should -Match '^[0-9a-f]{64}$'
        $c.ShortId | Should -Be $c.Id.Substring(0, 12)
        $c.Image | Should -Be 'busybox'
        $c.ImageId | Should -Be (Get-Image busybox).Id
        $c.Command | Should -Be 'sh -c "echo hi"'
        $c.Labels['tier'] | Should -Be 'web'
        $c.Created | Should -BeOfType ([datetime])
        $c.StartedAt | Should -BeNullOrEmpty
        $c.FinishedAt | Should -BeNullOrEmpty
        $c.ExitCode | Should -BeNullOrEmpty
        $volume = $c.Mounts | Where-Object Type -eq volume
        $volume.Name | Should -Be 'made-data'
        $volume.Destination | Should -Be '/data'
        $volume.ReadWrite | Should -BeFalse
        $c.HostAddress | Should -Be $t.Address
    }

    It 'is what docker inspect reports' {
        $r = docker inspect made
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $inspect = ($r.StdOut | ConvertFrom-Json)[0]
        $inspect.Id | Should -Be (Get-Container made).Id
        $inspect.Config.Env | Should -Contain 'MODE=test'
        $inspect.Config.WorkingDir | Should -Be '/tmp'
        $inspect.HostConfig.Memory | Should -Be 64MB
        $inspect.HostConfig.NanoCpus | Should -Be 500000000
        $inspect.HostConfig.PidsLimit | Should -Be 50
        $inspect.HostConfig.Tmpfs.'/scratch' | Should -Be 'size=1m'
        $inspect.HostConfig.LogConfig.Config.'max-size' | Should -Be '1m'
    }

    It 'refuses a name that is taken with ResourceExists' {
        $err = Get-DockErrorRecord { New-Container busybox -Name made -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContainerNameInUse*'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -BeLike '*name "/made" is already in use*'
    }

    It 'refuses bad input with InvalidArgument and creates nothing' -ForEach @(
        @{ Case = 'name'; Arguments = @{ Name = 'bad/name' }; Message = 'Invalid container name (bad/name)*' }
        @{ Case = 'log option'; Arguments = @{ LogOption = @{ colour = 'red' } }; Message = "unknown log opt 'colour'*" }
        @{ Case = 'mount key'; Arguments = @{ Mount = @{ Target = '/x'; Colour = 'red' } }; Message = "-Mount: unknown key 'Colour'*" }
        @{ Case = 'tmpfs path'; Arguments = @{ Tmpfs = 'relative' }; Message = '-Tmpfs*absolute' }
    ) {
        $before = Get-ContainerName
        $err = Get-DockErrorRecord { New-Container busybox @Arguments -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'NewContainerFailed*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike $Message
        Get-ContainerName | Should -Be $before
    }

    It 'creates nothing with -WhatIf' {
        New-Container busybox -Name whatif-made -WhatIf
        Get-ContainerName | Should -Not -Contain 'whatif-made'
    }
}

Describe 'Get-Container' {
    BeforeAll {
        $null = New-Sleeper 'list-running'
        $null = Invoke-Container busybox -Name list-exited -- true
    }

    It 'lists running containers by default and every one with -All' {
        (Get-Container).Name | Should -Contain 'list-running'
        (Get-Container).Name | Should -Not -Contain 'list-exited'
        (Get-Container -All).Name | Should -Contain 'list-exited'
    }

    It 'lists what docker ps -a lists' {
        $r = docker ps -a --no-trunc --format '{{.ID}}'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        @($r.StdOut -split "`n" | Where-Object { $_ } | Sort-Object) | Should -Be @(Get-Container -All | ForEach-Object Id | Sort-Object)
    }

    It 'returns an exact name in any state, wildcards among the listed ones' {
        (Get-Container list-exited).State | Should -Be 'exited'
        @(Get-Container list-*).Name | Should -Be @('list-running')
        @(Get-Container list-* -All).Name | Sort-Object | Should -Be @('list-exited', 'list-running')
    }

    It 'filters by state and label, and finds IDs by prefix' {
        @(Get-Container -Status exited).Name | Should -Contain 'list-exited'
        @(Get-Container -Status exited).Name | Should -Not -Contain 'list-running'
        @(Get-Container -All -Label tier=web).Name | Should -Be @('made')
        $id = (Get-Container list-exited).Id
        (Get-Container -Id $id.Substring(0, 10)).Name | Should -Be 'list-exited'
    }

    It 'tells times and the exit code of a finished container' {
        $c = Get-Container list-exited
        $c.ExitCode | Should -Be 0
        $c.Status | Should -BeLike 'Exited (0) *'
        $c.StartedAt | Should -BeOfType ([datetime])
        $c.FinishedAt | Should -BeGreaterOrEqual $c.StartedAt
        $c.StartedAt | Should -BeGreaterOrEqual $c.Created
    }

    It 'lists the same times, exit codes and terminals as a lookup by name gives' {
        # The listing takes them from the daemon's list answer; a lookup inspects the container.
        $listed = @(Get-Container -All | Where-Object Name -in 'list-exited', 'list-running')
        $listed | Should -HaveCount 2
        foreach ($one in $listed) {
            $looked = Get-Container $one.Name
            $one.ExitCode | Should -Be $looked.ExitCode
            $one.StartedAt | Should -Be $looked.StartedAt
            $one.FinishedAt | Should -Be $looked.FinishedAt
            $one.Tty | Should -Be $looked.Tty
            $one.Status | Should -Be $looked.Status
        }
        ($listed | Where-Object Name -eq 'list-exited').ExitCode | Should -Be 0
        ($listed | Where-Object Name -eq 'list-running').StartedAt | Should -BeOfType ([datetime])
    }

    It 'measures sizes only with -Size' {
        (Get-Container list-exited).SizeRootFs | Should -BeNullOrEmpty
        (Get-Container list-exited -Size).SizeRootFs | Should -BeGreaterThan 0
    }

    It 'reports an unknown name as a non-terminating ObjectNotFound' {
        $found = Get-Container no-such-container, list-exited -ErrorVariable problems -ErrorAction SilentlyContinue
        @($found).Name | Should -Be @('list-exited')
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows a docker ps table' {
        $text = Get-Container list-exited | Out-String -Width 200
        $text | Should -Match 'ContainerId\s+Image\s+Command\s+Created\s+Status\s+Name'
        $text | Should -Match '[0-9a-f]{12}\s+busybox\s+"true"\s+.+ ago\s+Exited \(0\) .+list-exited'
    }

    It 'completes container names on Tab' {
        $line = 'Remove-Container list-r'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('list-running')
    }
}

Describe 'Start-Container, Stop-Container, Restart-Container' {
    It 'starts, stops and restarts containers given by the pipeline' {
        $c = New-Container busybox -Name cycle -- sleep 600
        ($c | Start-Container -PassThru).State | Should -Be 'running'
        $stopped = Get-Container cycle | Stop-Container -Timeout 0 -PassThru
        $stopped.State | Should -Be 'exited'
        $stopped.ExitCode | Should -Be 137
        $restarted = [pscustomobject]@{ Name = 'cycle' } | Restart-Container -Timeout 0 -PassThru
        $restarted.State | Should -Be 'running'
        $restarted.StartedAt | Should -BeGreaterThan $stopped.StartedAt
    }

    It 'stops with the signal asked for' {
        $null = Invoke-Container busybox -Detach -Name trapper -- sh -c 'trap "exit 9" INT; while true; do sleep 0.1; done'
        (Stop-Container trapper -Signal SIGINT -Timeout 30 -PassThru).ExitCode | Should -Be 9
    }

    It 'reports unknown containers as non-terminating ObjectNotFound' {
        Start-Container no-such-container -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-ContainerLog' {
    BeforeAll {
        $null = Invoke-Container busybox -Name logged -- sh -c 'echo one; echo two >&2; echo three; printf unterminated'
    }

    It 'writes each line once as a DockContainerLogLine with its stream and time' {
        $lines = Get-ContainerLog logged
        $lines | ForEach-Object { $_ | Should -BeOfType ([DockPS.Types.DockContainerLogLine]) }
        ($lines | Where-Object Stream -eq Stdout).Text | Should -Be @('one', 'three', 'unterminated')
        ($lines | Where-Object Stream -eq Stderr).Text | Should -Be @('two')
        $lines[0].Container | Should -Be 'logged'
        $lines[0].Time | Should -BeOfType ([datetime])
        $lines[0].Time | Should -BeGreaterOrEqual (Get-Container logged).StartedAt.AddSeconds(-1)
    }

    It 'keeps one stream, the last lines, or a time window' {
        (Get-ContainerLog logged -Stream Stderr).Text | Should -Be @('two')
        (Get-ContainerLog logged -Tail 1).Text | Should -Be @('unterminated')
        $first = (Get-ContainerLog logged)[0].Time
        Get-ContainerLog logged -Until $first.AddSeconds(-10) | Should -BeNullOrEmpty
        @(Get-ContainerLog logged -Since $first.AddSeconds(-10)).Count | Should -Be 4
    }

    It 'shows the text alone by default and the time too with -Timestamps' {
        (Get-ContainerLog logged -Stream Stdout -Tail 1 | Out-String).Trim() | Should -Be 'unterminated'
        (Get-ContainerLog logged -Stream Stdout -Tail 1 -Timestamps | Out-String).Trim() | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7} unterminated$'
    }

    It 'joins a line longer than 16 KiB that the daemon logged in pieces' {
        $null = Invoke-Container busybox -Name logged-long -- sh -c 'head -c 40000 /dev/zero | tr "\0" x; echo; echo after'
        $lines = Get-ContainerLog logged-long
        $lines.Count | Should -Be 2
        $lines[0].Text | Should -Be ('x' * 40000)
        $lines[1].Text | Should -Be 'after'
    }

    It 'reads a container with a terminal (no frames)' {
        $null = Invoke-Container busybox -Tty -Name logged-tty -- sh -c 'echo alpha; echo beta'
        (Get-ContainerLog logged-tty).Text | Should -Be @('alpha', 'beta')
    }

    It 'follows a detached container line by line' {
        $null = Invoke-Container busybox -Detach -Name ticker -- sh -c 'i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.2; done'
        (Get-ContainerLog ticker -Follow | Select-Object -First 3).Text | Should -Be @('tick1', 'tick2', 'tick3')
    }

    It 'ends following when the container stops' {
        $null = Invoke-Container busybox -Detach -Name short-lived -- sh -c 'for i in 1 2 3; do echo n$i; sleep 0.2; done'
        (Get-ContainerLog short-lived -Follow).Text | Should -Be @('n1', 'n2', 'n3')
    }

    It 'ends following on Ctrl+C (StopProcessing)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-DockTestModulePath)).AddStatement().
                AddCommand('Get-ContainerLog').AddParameter('Name', 'ticker').AddParameter('Follow').AddParameter('HostAddress', $t.Address)
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $running = $ps.BeginInvoke((New-ClosedInput), $output)
            Wait-DockCondition { $output.Count -ge 2 } | Should -BeTrue
            $null = $ps.BeginStop($null, $null)
            Wait-DockCondition { $running.IsCompleted } | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
    }

    It 'reports an unknown container as ObjectNotFound' {
        $err = Get-DockErrorRecord { Get-ContainerLog no-such-container -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Invoke-ContainerCommand' {
    BeforeAll {
        $null = New-Sleeper 'exec-target'
    }

    It 'writes the command''s stdout lines' {
        Invoke-ContainerCommand exec-target -- sh -c 'echo one; echo two' | Should -Be @('one', 'two')
    }

    It 'returns the exit code, output and errors with -PassThru' {
        $r = Invoke-ContainerCommand exec-target -PassThru -- sh -c 'echo out; echo err >&2; exit 5' 6>$null
        $r | Should -BeOfType ([DockPS.Types.DockExecResult])
        $r.ExitCode | Should -Be 5
        $r.Output | Should -Be @('out')
        $r.Error | Should -Be @('err')
        $r.ExecId | Should -Match '^[0-9a-f]{64}$'
    }

    It 'makes a non-zero exit code an error with -ErrorOnExitCode' {
        $err = Get-DockErrorRecord { Invoke-ContainerCommand exec-target -ErrorOnExitCode -ErrorAction Stop -- false }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContainerCommandFailed*'
        $err.Exception.Message | Should -BeLike '*exited with code 1'
    }

    It 'passes environment, working directory and user' {
        Invoke-ContainerCommand exec-target -Environment @{ GREETING = 'hi there' } -WorkingDirectory /tmp -User nobody -- sh -c 'echo "$GREETING $(pwd) $(id -u)"' |
            Should -Be 'hi there /tmp 65534'
    }

    It 'sends piped strings to stdin' {
        'b', 'a', 'c' | Invoke-ContainerCommand exec-target sort | Should -Be @('a', 'b', 'c')
    }

    It 'refuses a container that is not running with InvalidOperation' {
        $null = New-Container busybox -Name exec-stopped
        $err = Get-DockErrorRecord { Invoke-ContainerCommand exec-stopped -ErrorAction Stop -- true }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContainerNotRunning*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -BeLike '*is not running'
    }

    It 'refuses an unknown container with ObjectNotFound' {
        (Get-DockErrorRecord { Invoke-ContainerCommand no-such-container -ErrorAction Stop -- true }).CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Wait-Container' {
    It 'writes the exit code of each container as it ends' {
        $null = Invoke-Container busybox -Detach -Name wait-a -- sh -c 'sleep 0.5; exit 2'
        $null = Invoke-Container busybox -Detach -Name wait-b -- sh -c 'exit 3'
        $exits = 'wait-a', 'wait-b' | Wait-Container
        $exits | ForEach-Object { $_ | Should -BeOfType ([DockPS.Types.DockContainerExit]) }
        ($exits | Sort-Object Container).ExitCode | Should -Be @(2, 3)
    }

    It 'gives up after -Timeout with an OperationTimeout error for each container still running, and leaves them running' {
        $null = Invoke-Container busybox -Detach -Name wait-quick -- sh -c 'exit 5'
        $null = Invoke-Container busybox -Detach -Name wait-slow -- sleep 300
        $exits = Wait-Container wait-quick, wait-slow -Timeout 2 -ErrorVariable late -ErrorAction SilentlyContinue
        @($exits).Count | Should -Be 1
        $exits.Container | Should -Be 'wait-quick'
        $exits.ExitCode | Should -Be 5
        $late.Count | Should -Be 1
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitContainerTimeout*'
        $late[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $late[0].TargetObject | Should -Be 'wait-slow'
        (Get-Container wait-slow).State | Should -Be 'running'
        Remove-Container wait-slow -Force
    }

    It 'waits for the next exit of a stopped container, not its last one' {
        # Each run N exits with code N once the file goN exists, so the test decides when a run ends.
        $ctl = Join-Path $t.Dir 'wait-ctl'
        $null = New-Item -ItemType Directory $ctl
        $script = 'n=$(cat /ctl/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /ctl/n; while [ ! -e /ctl/go$n ]; do sleep 0.1; done; exit $n'
        $null = New-Item -ItemType File (Join-Path $ctl 'go1')
        (Invoke-Container busybox -Name wait-next -Volume "${ctl}:/ctl" -PassThru -- sh -c $script).ExitCode | Should -Be 1
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-DockTestModulePath)).AddStatement().
                AddScript("'ready'").AddStatement().
                AddCommand('Wait-Container').AddParameter('Name', 'wait-next').AddParameter('Condition', 'next-exit').AddParameter('HostAddress', $t.Address)
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $running = $ps.BeginInvoke((New-ClosedInput), $output)
            Wait-DockCondition { $output.Count -ge 1 } | Should -BeTrue
            Start-Container wait-next
            Wait-DockCondition { (Get-Content (Join-Path $ctl 'n')) -eq '2' } | Should -BeTrue
            $running.IsCompleted | Should -BeFalse -Because 'the last exit (1) is not the next one'
            $null = New-Item -ItemType File (Join-Path $ctl 'go2')
            Wait-DockCondition { $running.IsCompleted } | Should -BeTrue
            $output[1].ExitCode | Should -Be 2
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Remove-Container' {
    It 'refuses a running container without -Force (ResourceBusy) and removes it with -Force' {
        $null = New-Sleeper 'rm-running'
        $err = Get-DockErrorRecord { Remove-Container rm-running -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContainerRunning*'
        $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
        (Get-Container rm-running).State | Should -Be 'running'
        Remove-Container rm-running -Force
        Get-ContainerName | Should -Not -Contain 'rm-running'
    }

    It 'removes nothing with -WhatIf' {
        $before = Get-ContainerName
        Get-Container -All | Remove-Container -Force -WhatIf
        Get-ContainerName | Should -Be $before
    }

    It 'removes the exited containers Get-Container | Where-Object passes it' {
        $null = Invoke-Container busybox -Name rm-exited-1 -- true
        $null = Invoke-Container busybox -Name rm-exited-2 -- false
        $running = @(Get-Container | ForEach-Object Name)
        Get-Container -All | Where-Object State -eq exited | Remove-Container
        @(Get-Container -All | Where-Object State -eq exited) | Should -BeNullOrEmpty
        @(Get-Container | ForEach-Object Name) | Should -Be $running
    }

    It 'reports an unknown container as a non-terminating ObjectNotFound' {
        Remove-Container no-such-container -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Volumes and containers' {
    It 'keeps a volume and its data after its container is gone' {
        Invoke-Container busybox -Remove -Volume 'kept-data:/data' -- sh -c 'echo saved > /data/file'
        (Get-Volume kept-data).Name | Should -Be 'kept-data'
        Invoke-Container busybox -Remove -Volume 'kept-data:/data:ro' -- cat /data/file | Should -Be 'saved'
    }

    It 'mounts a host path and a tmpfs' {
        Set-Content (Join-Path $t.Dir 'shared.txt') 'from the host'
        Invoke-Container busybox -Remove -Volume "$($t.Dir):/host:ro" -Mount @{ Type = 'tmpfs'; Target = '/scratch'; Size = 8MB } -- sh -c 'cat /host/shared.txt; grep " /scratch " /proc/mounts | cut -d" " -f3' |
            Should -Be @('from the host', 'tmpfs')
    }
}

Describe 'Clear-Container' {
    It 'removes every stopped container, keeps running ones, and reports them' {
        $pruned = (Invoke-Container busybox -Name prune-me -PassThru -- true).Id
        $running = @(Get-Container | ForEach-Object Name)
        Clear-Container -WhatIf
        Get-ContainerName | Should -Contain 'prune-me'
        $result = Clear-Container -Confirm:$false
        $result | Should -BeOfType ([DockPS.Types.DockPruneResult])
        $result.Deleted | Should -Contain $pruned
        Get-ContainerName | Should -Be @($running | Sort-Object)
    }
}
