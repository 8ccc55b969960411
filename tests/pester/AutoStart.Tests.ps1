# The module starts its bundled daemon when a cmdlet targets the default socket and nothing
# answers there. This is the one suite that uses the real default paths (/run/dockps,
# /var/lib/dockps); it stops the daemon it started and removes only what did not exist before.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = $env:DOCKPS_HOST
    Remove-Item Env:DOCKPS_HOST -ErrorAction Ignore
    $defaultSocket = '/run/dockps/dockps.sock'
    $preexisting = @{
        Answering = Test-DockAnswers "unix://$defaultSocket"
        DataRoot  = Test-Path '/var/lib/dockps'
        ExecRoot  = Test-Path '/run/dockps'
    }
}

AfterAll {
    if (-not $preexisting.Answering -and (Test-DockAnswers "unix://$defaultSocket")) {
        Stop-DockDaemon -Confirm:$false -ErrorAction Continue
    }
    if (-not $preexisting.DataRoot) { Remove-Item '/var/lib/dockps' -Recurse -Force -ErrorAction Ignore }
    if (-not $preexisting.ExecRoot) { Remove-Item '/run/dockps' -Recurse -Force -ErrorAction Ignore }
    if ($null -ne $savedHost) { $env:DOCKPS_HOST = $savedHost }
}

Describe 'Auto-start at the default socket' {
    BeforeAll {
        $info = Get-DockInfo -Verbose 4>&1 | Group-Object { $_ -is [System.Management.Automation.VerboseRecord] } -AsHashTable -AsString
    }

    It 'answers Get-DockInfo without -HostAddress or DOCKPS_HOST' {
        $result = @($info['False'])[0]
        $result | Should -BeOfType ([DockPS.Types.DockInfo])
        $result.HostAddress | Should -Be 'unix:///run/dockps/dockps.sock'
        $result.DataRoot | Should -Be '/var/lib/dockps'
    }

    It 'says it started the bundled daemon (when none was running)' {
        $said = @($info['True'] | ForEach-Object Message) -join "`n"
        if ($preexisting.Answering) {
            $said | Should -Not -Match 'starting the bundled dockpsd'
        }
        else {
            $said | Should -Match 'starting the bundled dockpsd'
            $said | Should -Match 'dockpsd started \(pid \d+'
        }
    }

    It 'leaves a daemon running that outlives the cmdlet, in its own session' {
        Test-DockAnswers "unix://$defaultSocket" | Should -BeTrue
        $daemonPid = [int](Get-Content '/run/dockps/dockpsd.pid' -Raw).Trim()
        $sid = (Get-Content "/proc/$daemonPid/stat" -Raw).Split(' ')[5]
        $sid | Should -Be "$daemonPid" -Because 'setsid makes the daemon its own session leader, safe from Ctrl+C in the terminal'
    }

    It 'is stopped by Stop-DockDaemon with no arguments (a daemon this suite did not start is left alone)' {
        if ($preexisting.Answering) {
            Stop-DockDaemon -WhatIf
            Test-DockAnswers "unix://$defaultSocket" | Should -BeTrue
        }
        else {
            Stop-DockDaemon -Confirm:$false
            Test-DockAnswers "unix://$defaultSocket" | Should -BeFalse
            Test-Path $defaultSocket | Should -BeFalse
        }
    }
}
