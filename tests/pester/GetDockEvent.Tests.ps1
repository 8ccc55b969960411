# Get-DockEvent against a real dockpsd: SIGHUP makes the daemon reload its configuration and emit a
# daemon/reload event, which is then seen in history (-Since/-Until) and live.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost

    function Get-ReloadEvent {
        param([Parameter(Mandatory)] $Events)
        @($Events | Where-Object { $_.Type -eq 'daemon' -and $_.Action -eq 'reload' })
    }
}

AfterAll {
    Restore-DockHost $savedHost
}

Describe 'Get-DockEvent history' {
    BeforeAll {
        $t = New-TestDaemon
        $daemonId = (Get-DockInfo -HostAddress $t.Address).Id
        $since = (Get-Date).AddSeconds(-1)
        Send-DaemonSignal $t HUP
        # The reload is logged asynchronously: poll history until it shows (or give up after 30 s).
        $script:history = @()
        $seen = Wait-DockCondition -TimeoutSeconds 30 -IntervalMilliseconds 100 -Condition {
            $script:until = Get-Date
            $script:history = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $script:until)
            (Get-ReloadEvent $script:history).Count -gt 0
        }
        $reload = (Get-ReloadEvent $history) | Select-Object -First 1
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'returns the reload event caused by SIGHUP and ends' {
        $seen | Should -BeTrue
        $reload | Should -Not -BeNullOrEmpty
        $reload | Should -BeOfType DockPS.Types.DockEvent
    }

    It 'describes the daemon as the actor' {
        $reload.ActorId | Should -Be $daemonId
        $reload.ActorName | Should -Be ([System.Environment]::MachineName)
        $reload.Attributes['name'] | Should -Be ([System.Environment]::MachineName)
        $reload.Scope | Should -Be 'local'
    }

    It 'stamps the event inside the -Since/-Until window' {
        $reload.Time | Should -BeOfType [datetime]
        $reload.Time | Should -BeGreaterOrEqual $since
        $reload.Time | Should -BeLessOrEqual $until
    }

    It 'gives TimeNano and Time the same instant' {
        $fromNano = [DateTimeOffset]::FromUnixTimeMilliseconds([long][math]::Floor($reload.TimeNano / 1e6)).LocalDateTime
        [math]::Abs(($fromNano - $reload.Time).TotalMilliseconds) | Should -BeLessThan 1
    }

    It 'returns events in time order' {
        $nanos = @($history | ForEach-Object TimeNano)
        $nanos | Should -Be @($nanos | Sort-Object)
    }

    It 'includes the reload with -Type daemon' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Type daemon)
        (Get-ReloadEvent $events).Count | Should -BeGreaterThan 0
        $events | ForEach-Object { $_.Type | Should -Be 'daemon' }
    }

    It 'excludes it with -Type container' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Type container)
        (Get-ReloadEvent $events).Count | Should -Be 0
        @($events | Where-Object Type -ne 'container').Count | Should -Be 0
    }

    It 'includes it with -Filter @{ event = ''reload'' } and returns only reloads' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Filter @{ event = 'reload' })
        (Get-ReloadEvent $events).Count | Should -BeGreaterThan 0
        $events | ForEach-Object { $_.Action | Should -Be 'reload' }
    }

    It 'takes several values for one filter key' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Filter @{ event = @('start', 'reload') })
        (Get-ReloadEvent $events).Count | Should -BeGreaterThan 0
    }

    It 'excludes it with a filter for another event' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Filter @{ event = 'start' })
        (Get-ReloadEvent $events).Count | Should -Be 0
    }

    It 'combines -Type and -Filter' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Type daemon -Filter @{ daemon = $daemonId })
        (Get-ReloadEvent $events).Count | Should -BeGreaterThan 0
        $none = @(Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Type daemon -Filter @{ daemon = 'someone-else' })
        (Get-ReloadEvent $none).Count | Should -Be 0
    }

    It 'returns nothing for a window that ended before the reload' {
        $events = @(Get-DockEvent -HostAddress $t.Address -Since $since.AddMinutes(-10) -Until $since.AddMinutes(-5))
        (Get-ReloadEvent $events).Count | Should -Be 0
    }

    It 'rejects an unknown filter key with InvalidArgument' {
        $err = Get-DockErrorRecord { Get-DockEvent -HostAddress $t.Address -Since $since -Until $until -Filter @{ bogus = 'x' } -ErrorAction Stop }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'DockEventFailed,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'bogus'
    }

    It 'rejects an unknown -Type before calling the daemon' {
        { Get-DockEvent -HostAddress $t.Address -Type bogus -Until (Get-Date) } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,*GetDockEventCommand'
    }

    It 'uses $env:DOCKPS_HOST when -HostAddress is absent' {
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = $t.Address
            $events = @(Get-DockEvent -Since $since -Until $until)
        }
        finally { $env:DOCKPS_HOST = $saved }
        (Get-ReloadEvent $events).Count | Should -BeGreaterThan 0
    }

    It 'shows in the default table view' {
        $text = $reload | Out-String
        $text | Should -Match "daemon\s+reload\s+$([regex]::Escape([System.Environment]::MachineName))"
    }

    It 'fails with ConnectionError when nobody listens' {
        $address = "unix://$($t.Dir)/none.sock"
        $err = Get-DockErrorRecord { Get-DockEvent -HostAddress $address -Until (Get-Date) -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'DockEventFailed,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match ([regex]::Escape($address))
    }
}

Describe 'Get-DockEvent live stream' {
    BeforeAll {
        $t = New-TestDaemon
        $modulePath = Get-DockTestModulePath
        $address = $t.Address
        $streamStart = Get-Date
        $streamUntil = $streamStart.AddSeconds(10)
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:modulePath
            Get-DockEvent -HostAddress $using:address -Until $using:streamUntil
        }
        # Keep sending SIGHUP until the stream delivers a reload: the first ones may come before the
        # job has subscribed, and a subscription sees only events that happen after it.
        $script:live = @()
        $script:stateWhenSeen = $null
        $null = Wait-DockCondition -TimeoutSeconds 9 -IntervalMilliseconds 250 -Condition {
            if ($job.State -in 'Completed', 'Failed', 'Stopped') { return $true }
            Send-DaemonSignal $t HUP
            Start-Sleep -Milliseconds 250
            $script:live += @(Receive-Job $job)
            if ((Get-ReloadEvent $script:live).Count -gt 0) { $script:stateWhenSeen = $job.State; return $true }
            $false
        }
        $finished = $job | Wait-Job -Timeout 60
        $script:live += @(Receive-Job $job -ErrorVariable jobErrors -ErrorAction SilentlyContinue)
    }
    AfterAll {
        if ($job) { $job | Stop-Job -ErrorAction Ignore; $job | Remove-Job -Force -ErrorAction Ignore }
        Remove-TestDaemon $t
    }

    It 'delivers a reload event while the stream is still open' {
        (Get-ReloadEvent $live).Count | Should -BeGreaterThan 0
        $stateWhenSeen | Should -Be 'Running'
    }

    It 'delivers DockEvent objects' {
        (Get-ReloadEvent $live)[0] | Should -BeOfType DockPS.Types.DockEvent
    }

    It 'ends by itself at -Until' {
        $finished | Should -Not -BeNullOrEmpty
        $job.State | Should -Be 'Completed'
    }

    It 'reports no errors' {
        $jobErrors | Should -BeNullOrEmpty
        $job.ChildJobs[0].Error | Should -BeNullOrEmpty
    }

    It 'delivers only events that happened while it streamed' {
        $live | ForEach-Object {
            $_.Time | Should -BeGreaterOrEqual $streamStart
            $_.Time | Should -BeLessOrEqual $streamUntil
        }
    }
}

Describe 'Get-DockEvent without -Until' {
    BeforeAll {
        $t = New-TestDaemon
        $modulePath = Get-DockTestModulePath
        $address = $t.Address
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:modulePath
            Get-DockEvent -HostAddress $using:address
        }
        $script:live = @()
        $null = Wait-DockCondition -TimeoutSeconds 30 -IntervalMilliseconds 250 -Condition {
            if ($job.State -in 'Completed', 'Failed', 'Stopped') { return $true }
            Send-DaemonSignal $t HUP
            Start-Sleep -Milliseconds 250
            $script:live += @(Receive-Job $job)
            (Get-ReloadEvent $script:live).Count -gt 0
        }
        $stateBeforeStop = $job.State
        $job | Stop-Job
        $stopped = $job | Wait-Job -Timeout 30
    }
    AfterAll {
        if ($job) { $job | Remove-Job -Force -ErrorAction Ignore }
        Remove-TestDaemon $t
    }

    It 'keeps streaming live events' {
        (Get-ReloadEvent $live).Count | Should -BeGreaterThan 0
        $stateBeforeStop | Should -Be 'Running'
    }

    It 'stops when the pipeline is stopped (Ctrl+C)' {
        $stopped | Should -Not -BeNullOrEmpty
        $job.State | Should -Be 'Stopped'
    }

    It 'leaves the daemon serving after the client went away' {
        (Get-DockInfo -HostAddress $t.Address).DataRoot | Should -Be $t.DataRoot
    }
}
