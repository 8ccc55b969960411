# Enter-Container in a real terminal: pwsh runs in a tmux pane (a pty of a known size, on a tmux
# server of the test's own), keys are typed with send-keys and the screen is read back.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $env:DOCKPS_HOST = $t.Address
    $null = Import-Image (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName busybox:latest -Change 'CMD ["sh"]'
    $null = Invoke-Container busybox -Detach -Name shell-target -- sleep 600
    $tmuxSocket = Join-Path $t.Dir 'tmux.sock'
    function tmux { & /usr/bin/tmux -S $tmuxSocket @args }
    function Get-Screen { (tmux capture-pane -p -t enter) -join "`n" }
    function Get-ScreenLine { @((tmux capture-pane -p -t enter) | ForEach-Object { $_.TrimEnd() }) }
}

AfterAll {
    if ($tmuxSocket -and (Test-Path $tmuxSocket)) { tmux kill-server 2>$null }
    if ($t) { Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -Confirm:$false -ErrorAction SilentlyContinue }
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'Enter-Container' {
    It 'refuses to run without a terminal' {
        # A child pwsh whose stdin is a pipe, so the test means the same from a console or from CI.
        $command = "Import-Module '$(Get-DockTestModulePath)'; try { Enter-Container shell-target -HostAddress '$($t.Address)' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category }"
        $out = '' | & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $command
        $out[0] | Should -BeLike 'InputNotTerminal*'
        $out[1] | Should -Be 'InvalidOperation'
    }

    Context 'in a terminal' {
        BeforeAll {
            $result = Join-Path $t.Dir 'enter-result.txt'
            $session = Join-Path $t.Dir 'enter.ps1'
            Set-Content $session @"
Import-Module '$(Get-DockTestModulePath)'
`$r = Enter-Container shell-target -HostAddress '$($t.Address)' -PassThru
# How the console is left: canonical input and echo must be back.
`$mode = & /bin/stty -a
Set-Content '$result' "exit=`$(`$r.ExitCode)", (`$mode -join ' ')
"@
            $pwsh = Join-Path $PSHOME 'pwsh'
            tmux new-session -d -s enter -x 100 -y 30 "$pwsh -NoProfile -File $session"
            $prompt = Wait-DockCondition -TimeoutSeconds 60 -Condition { (Get-ScreenLine) -contains '/ #' }
        }

        It 'gives a shell prompt' {
            $prompt | Should -BeTrue -Because (Get-Screen)
        }

        It 'runs what is typed and shows its output' {
            tmux send-keys -t enter 'echo $((6*7))' Enter
            Wait-DockCondition { (Get-ScreenLine) -contains '42' } | Should -BeTrue -Because (Get-Screen)
        }

        It 'gives the container the console''s size, and follows it when it changes' {
            tmux send-keys -t enter 'stty size' Enter
            Wait-DockCondition { (Get-ScreenLine) -contains '30 100' } | Should -BeTrue -Because (Get-Screen)
            tmux resize-window -t enter -x 90 -y 25
            # The size is polled: ask until the shell sees the new one.
            Wait-DockCondition -IntervalMilliseconds 500 -Condition {
                tmux send-keys -t enter 'clear; stty size' Enter
                Start-Sleep -Milliseconds 200
                (Get-ScreenLine) -contains '25 90'
            } | Should -BeTrue -Because (Get-Screen)
        }

        It 'ends with the program, returns its exit code and restores the console' {
            tmux send-keys -t enter 'exit 5' Enter
            Wait-DockCondition { Test-Path $result } | Should -BeTrue -Because (Get-Screen)
            Wait-DockCondition { @(Get-Content $result).Count -ge 2 } | Should -BeTrue
            $lines = Get-Content $result
            $lines[0] | Should -Be 'exit=5'
            $lines[1] | Should -Match '(^| )icanon( |$)'
            $lines[1] | Should -Match '(^| )echo( |$)'
        }
    }
}
