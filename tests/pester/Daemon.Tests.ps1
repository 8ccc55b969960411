# Start-DockDaemon / Stop-DockDaemon against real dockpsd processes on temp sockets and data roots.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
}

AfterAll {
    Restore-DockHost $savedHost
}

Describe 'Start-DockDaemon' {
    BeforeAll {
        $t = New-TestDaemon
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'returns a DockDaemon describing what it started' {
        $t.Daemon | Should -BeOfType DockPS.Types.DockDaemon
        $t.Daemon.HostAddress | Should -Be $t.Address
        $t.Daemon.DataRoot | Should -Be $t.DataRoot
        $t.Daemon.ExecRoot | Should -Be $t.ExecRoot
        $t.Daemon.LogPath | Should -Be $t.LogPath
    }

    It 'returns the pid of a live dockpsd' {
        Test-ProcessAlive $t.Daemon.Pid | Should -BeTrue
        (Get-ProcessCommandLine $t.Daemon.Pid) -join ' ' | Should -Match 'dockpsd'
        (Get-ProcessCommandLine $t.Daemon.Pid) -join ' ' | Should -Match ([regex]::Escape($t.DataRoot))
    }

    It 'reports when the process started' {
        $t.Daemon.StartTime | Should -BeOfType [datetime]
        $t.Daemon.StartTime | Should -BeLessOrEqual (Get-Date)
        $t.Daemon.StartTime | Should -Be (Get-Process -Id $t.Daemon.Pid).StartTime
    }

    It 'creates the socket, the pid file and the log' {
        (Get-Item $t.Socket -Force).UnixFileMode | Should -Not -BeNullOrEmpty
        & test -S $t.Socket; $LASTEXITCODE | Should -Be 0
        Test-Path $t.PidFile | Should -BeTrue
        [int](Get-Content $t.PidFile -Raw).Trim() | Should -Be $t.Daemon.Pid
        Test-Path $t.LogPath | Should -BeTrue
    }

    It 'leaves a daemon that answers at the address' {
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
    }

    It 'writes nothing without -PassThru' {
        $dir = New-DockTestDir
        $u = [pscustomobject]@{ Dir = $dir; Address = "unix://$dir/d.sock"; Socket = "$dir/d.sock"; PidFile = "$dir/exec/dockpsd.pid"; Daemon = $null; Process = $null }
        try {
            $output = @(Start-DockDaemon -HostAddress $u.Address -DataRoot "$dir/data" -ExecRoot "$dir/exec")
            $output.Count | Should -Be 0
            Test-DockAnswers $u.Address | Should -BeTrue
        }
        finally {
            Stop-DockDaemon -HostAddress $u.Address -Confirm:$false -ErrorAction SilentlyContinue
            Remove-TestDaemon $u
        }
    }

    It 'refuses a second daemon at the same address with DaemonAlreadyRunning / ResourceExists' {
        $other = New-DockTestDir
        try {
            $err = Get-DockErrorRecord { Start-DockDaemon -HostAddress $t.Address -DataRoot "$other/data" -ExecRoot "$other/exec" -PassThru -ErrorAction Stop }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'DaemonAlreadyRunning,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.Exception.Message | Should -Match ([regex]::Escape($t.Address))
            @(Get-DockpsdProcessId -Under $other).Count | Should -Be 0
        }
        finally { Remove-Item $other -Recurse -Force -ErrorAction Ignore }
    }

    It 'keeps the first daemon running after refusing a second one at its address' {
        Test-ProcessAlive $t.Daemon.Pid | Should -BeTrue
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
    }

    It 'supports -WhatIf without starting anything' {
        $dir = New-DockTestDir
        try {
            Start-DockDaemon -HostAddress "unix://$dir/d.sock" -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru -WhatIf | Should -BeNullOrEmpty
            Test-Path "$dir/d.sock" | Should -BeFalse
            @(Get-DockpsdProcessId -Under $dir).Count | Should -Be 0
        }
        finally { Remove-Item $dir -Recurse -Force -ErrorAction Ignore }
    }
}

Describe 'Start-DockDaemon addresses and paths' {
    BeforeEach {
        $dir = New-DockTestDir
        $u = [pscustomobject]@{ Dir = $dir; Address = $null; Socket = $null; PidFile = "$dir/exec/dockpsd.pid"; Daemon = $null; Process = $null }
    }
    AfterEach {
        if ($u.Daemon -and $u.Address -like 'unix://*') { $u.Socket = $u.Address.Substring('unix://'.Length) }
        Remove-TestDaemon $u
    }

    It 'resolves relative -DataRoot and -ExecRoot against the current location' {
        Push-Location $dir
        try { $u.Daemon = Start-DockDaemon -HostAddress "unix://$dir/d.sock" -DataRoot 'data' -ExecRoot 'exec' -PassThru }
        finally { Pop-Location }
        $u.Address = $u.Daemon.HostAddress
        $u.Daemon.DataRoot | Should -Be "$dir/data"
        $u.Daemon.ExecRoot | Should -Be "$dir/exec"
        (Get-DockInfo -HostAddress $u.Address).DataRoot | Should -Be "$dir/data"
        Test-Path "$dir/exec/dockpsd.pid" | Should -BeTrue
    }

    It 'listens at $env:DOCKPS_HOST when -HostAddress is absent' {
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = "unix://$dir/env.sock"
            $u.Daemon = Start-DockDaemon -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
        }
        finally { $env:DOCKPS_HOST = $saved }
        $u.Address = $u.Daemon.HostAddress
        $u.Daemon.HostAddress | Should -Be "unix://$dir/env.sock"
        Test-DockAnswers "unix://$dir/env.sock" | Should -BeTrue
    }

    It 'starts a daemon on loopback TCP that -PidFile then stops' {
        $u.Address = "tcp://127.0.0.1:$(Get-FreeTcpPort)"
        $u.Daemon = Start-DockDaemon -HostAddress $u.Address -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
        (Get-DockInfo -HostAddress $u.Address).DataRoot | Should -Be "$dir/data"
        Stop-DockDaemon -PidFile "$dir/exec/dockpsd.pid" -Confirm:$false
        Test-ProcessAlive $u.Daemon.Pid | Should -BeFalse
        Test-DockAnswers $u.Address | Should -BeFalse
    }

    It 'refuses a non-loopback TCP address with a clear DaemonStartFailed' {
        $address = "tcp://0.0.0.0:$(Get-FreeTcpPort)"
        $err = Get-DockErrorRecord { Start-DockDaemon -HostAddress $address -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonStartFailed,*'
        $err.Exception.Message | Should -Match 'loopback'
        @(Get-DockpsdProcessId -Under $dir).Count | Should -Be 0
        Test-Path "$dir/exec/dockpsd.pid" | Should -BeFalse
    }

    It 'rejects an address that is neither unix:// nor tcp://' {
        $err = Get-DockErrorRecord { Start-DockDaemon -HostAddress 'ftp://example' -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru -ErrorAction Stop }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'ftp://example'
        @(Get-DockpsdProcessId -Under $dir).Count | Should -Be 0
    }
}

Describe 'dockpsd command line' {
    BeforeAll {
        $dir = New-DockTestDir
        function Invoke-Dockpsd {
            param([string[]] $Arguments)
            $start = [System.Diagnostics.ProcessStartInfo]::new((Get-DockpsdPath))
            foreach ($a in $Arguments) { $start.ArgumentList.Add($a) }
            $start.RedirectStandardError = $true
            $start.RedirectStandardOutput = $true
            $process = [System.Diagnostics.Process]::Start($start)
            try {
                $stderr = $process.StandardError.ReadToEndAsync()
                $null = $process.StandardOutput.ReadToEnd()
                if (-not $process.WaitForExit(60000)) { $process.Kill(); throw 'dockpsd did not exit' }
                [pscustomobject]@{ ExitCode = $process.ExitCode; StdErr = $stderr.Result }
            }
            finally { $process.Dispose() }
        }
    }
    AfterAll {
        foreach ($stray in @(Get-DockpsdProcessId -Under $dir)) { & /bin/kill -s KILL $stray }
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'exits 1 with "dockpsd: error:" on an unknown flag' {
        $r = Invoke-Dockpsd '--no-such-flag'
        $r.ExitCode | Should -Be 1
        $r.StdErr | Should -Match '^dockpsd: error: .*no-such-flag'
    }

    It 'exits 1 naming the path when the socket path is a regular file' {
        Set-Content "$dir/file.sock" 'keep me' -NoNewline
        $r = Invoke-Dockpsd '-H', "unix://$dir/file.sock", '--data-root', "$dir/data", '--exec-root', "$dir/exec", '--pidfile', "$dir/d.pid"
        $r.ExitCode | Should -Be 1
        $r.StdErr | Should -Match "dockpsd: error: .*$([regex]::Escape("$dir/file.sock"))"
        Get-Content "$dir/file.sock" -Raw | Should -BeExactly 'keep me'
        Test-Path "$dir/d.pid" | Should -BeFalse
    }
}

Describe 'Start-DockDaemon on a data root another daemon holds' {
    BeforeAll {
        $t = New-TestDaemon
        $second = "$($t.Dir)/second.sock"
        $err = Get-DockErrorRecord {
            Start-DockDaemon -HostAddress "unix://$second" -DataRoot $t.DataRoot -ExecRoot "$($t.Dir)/exec2" -PassThru -ErrorAction Stop
        }
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'fails with DaemonStartFailed' {
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonStartFailed,*'
    }

    It 'says the data root is in use' {
        $err.Exception.Message | Should -Match ([regex]::Escape($t.DataRoot))
        $err.Exception.Message | Should -Match 'in use'
    }

    It 'leaves no socket file and no pid file behind' {
        Test-Path $second | Should -BeFalse
        Test-Path "$($t.Dir)/exec2/dockpsd.pid" | Should -BeFalse
    }

    It 'leaves no second dockpsd running' {
        @(Get-DockpsdProcessId -Under $t.Dir) | Should -Be @($t.Daemon.Pid)
    }

    It 'leaves the first daemon serving its data root' {
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
    }
}

Describe 'Start-DockDaemon on a socket path that is a regular file' {
    BeforeAll {
        $dir = New-DockTestDir
        $u = [pscustomobject]@{ Dir = $dir; Address = "unix://$dir/file.sock"; Socket = "$dir/file.sock"; PidFile = "$dir/exec/dockpsd.pid"; Daemon = $null; Process = $null }
        Set-Content -Path $u.Socket -Value 'precious data' -NoNewline
        $err = Get-DockErrorRecord { Start-DockDaemon -HostAddress $u.Address -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru -ErrorAction Stop }
    }
    AfterAll {
        Remove-TestDaemon $u
    }

    It 'fails with DaemonStartFailed naming the path' {
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonStartFailed,*'
        $err.Exception.Message | Should -Match ([regex]::Escape($u.Socket))
        $err.Exception.Message | Should -Match 'not a socket'
    }

    It 'leaves the file and its content unchanged' {
        Test-Path $u.Socket -PathType Leaf | Should -BeTrue
        Get-Content $u.Socket -Raw | Should -BeExactly 'precious data'
    }

    It 'leaves no daemon running and no pid file' {
        @(Get-DockpsdProcessId -Under $dir).Count | Should -Be 0
        Test-Path $u.PidFile | Should -BeFalse
    }

    It 'releases the data root for the next daemon' {
        $d = Start-DockDaemon -HostAddress "unix://$dir/ok.sock" -DataRoot "$dir/data" -ExecRoot "$dir/exec" -PassThru
        try { (Get-DockInfo -HostAddress $d.HostAddress).DataRoot | Should -Be "$dir/data" }
        finally { $d | Stop-DockDaemon -Confirm:$false }
    }
}

Describe 'Stop-DockDaemon through the pipeline' {
    BeforeAll {
        $t = New-TestDaemon
        $daemonPid = $t.Daemon.Pid
        $pidFileBefore = Test-Path $t.PidFile
        $output = @($t.Daemon | Stop-DockDaemon -Confirm:$false)
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'had a pid file while running' {
        $pidFileBefore | Should -BeTrue
    }

    It 'writes nothing to the pipeline' {
        $output.Count | Should -Be 0
    }

    It 'ends the process' {
        Test-ProcessAlive $daemonPid | Should -BeFalse
    }

    It 'removes the socket' {
        Test-Path $t.Socket | Should -BeFalse
    }

    It 'removes the pid file' {
        Test-Path $t.PidFile | Should -BeFalse
    }

    It 'leaves nothing answering at the address' {
        Test-DockAnswers $t.Address | Should -BeFalse
    }
}

Describe 'Stop-DockDaemon -HostAddress' {
    BeforeAll {
        $t = New-TestDaemon
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'leaves the daemon running with -WhatIf' {
        Stop-DockDaemon -HostAddress $t.Address -WhatIf
        Test-ProcessAlive $t.Daemon.Pid | Should -BeTrue
        Test-Path $t.Socket | Should -BeTrue
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
    }

    It 'stops the daemon named by its address' {
        Stop-DockDaemon -HostAddress $t.Address -Confirm:$false
        Test-ProcessAlive $t.Daemon.Pid | Should -BeFalse
        Test-Path $t.Socket | Should -BeFalse
        Test-Path $t.PidFile | Should -BeFalse
    }

    It 'uses $env:DOCKPS_HOST when -HostAddress is absent' {
        $u = New-TestDaemon
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = $u.Address
            Stop-DockDaemon -Confirm:$false
            Test-ProcessAlive $u.Daemon.Pid | Should -BeFalse
            Test-Path $u.Socket | Should -BeFalse
        }
        finally {
            $env:DOCKPS_HOST = $saved
            Remove-TestDaemon $u
        }
    }
}

Describe 'Stop-DockDaemon with no daemon' {
    BeforeAll {
        $dir = New-DockTestDir
    }
    AfterAll {
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'reports DaemonNotRunning / ObjectNotFound for an address nobody listens on' {
        Stop-DockDaemon -HostAddress "unix://$dir/none.sock" -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DaemonNotRunning,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape("$dir/none.sock"))
    }

    It 'reports DaemonNotRunning for a pid file that does not exist' {
        Stop-DockDaemon -PidFile "$dir/none.pid" -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DaemonNotRunning,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a pid file naming a process that is not dockpsd' {
        Set-Content "$dir/self.pid" $PID
        Stop-DockDaemon -PidFile "$dir/self.pid" -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DaemonNotRunning,*'
        Test-ProcessAlive $PID | Should -BeTrue
    }
}

Describe 'Stop-DockDaemon -PidFile for a daemon on TCP' {
    BeforeAll {
        $t = Start-TestDaemonProcess -Tcp
        $daemonPid = $t.Process.Id
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'has a daemon answering on loopback TCP with a pid file' {
        $t.Address | Should -Match '^tcp://127\.0\.0\.1:\d+$'
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
        [int](Get-Content $t.PidFile -Raw).Trim() | Should -Be $daemonPid
    }

    It 'says a tcp:// address needs -PidFile (InvalidArgument)' {
        Stop-DockDaemon -HostAddress $t.Address -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DaemonAddressNotLocal,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Test-ProcessAlive $daemonPid | Should -BeTrue
    }

    It 'leaves the daemon running with -WhatIf' {
        Stop-DockDaemon -PidFile $t.PidFile -WhatIf
        Test-ProcessAlive $daemonPid | Should -BeTrue
    }

    It 'stops the daemon named by the pid file and removes the file' {
        Stop-DockDaemon -PidFile $t.PidFile -Confirm:$false
        # Stop-DockDaemon returns once dockpsd is gone; WaitForExit only collects the exit status.
        $t.Process.WaitForExit(30000) | Should -BeTrue
        $t.Process.ExitCode | Should -Be 0
        Test-Path $t.PidFile | Should -BeFalse
        Test-DockAnswers $t.Address | Should -BeFalse
    }
}
