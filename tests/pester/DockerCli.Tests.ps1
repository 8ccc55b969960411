# The real docker CLI is the judge of compatibility: it drives a test dockpsd over its socket.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost

    # stderr lines that are not the one expected host warning (no OCI runtime installed).
    function Get-UnexpectedStdErr {
        param([string] $Text)
        @($Text -split "`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ -and $_ -notmatch '^WARNING: no OCI runtime \(crun or runc\) found on PATH' })
    }

    function ConvertTo-DockerTimestamp {
        param([datetime] $Time)
        $ticks = ([DateTimeOffset]$Time.ToUniversalTime() - [DateTimeOffset]::UnixEpoch).Ticks
        '{0}.{1:D9}' -f [math]::Floor($ticks / [TimeSpan]::TicksPerSecond), (($ticks % [TimeSpan]::TicksPerSecond) * 100)
    }
}

AfterAll {
    Restore-DockHost $savedHost
}

Describe 'docker CLI' {
    It 'is installed for these tests' {
        Get-Command docker -CommandType Application -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because 'the real docker CLI is the judge of compatibility'
    }
}

Describe 'docker CLI against dockpsd' {
    BeforeAll {
        $t = New-TestDaemon
        $dockerConfig = Join-Path $t.Dir 'docker-config'
        $null = New-Item -ItemType Directory $dockerConfig
        $info = Get-DockInfo -HostAddress $t.Address
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    Context 'docker version' {
        BeforeAll {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'version'
        }

        It 'exits 0' {
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
        }

        It 'shows the DockPS server' {
            $r.StdOut | Should -Match '(?m)^Server: DockPS'
            $r.StdOut | Should -Match "(?m)^\s+Version:\s+$([regex]::Escape($info.ServerVersion))\s*$"
        }

        It 'shows the server API version and its minimum' {
            $r.StdOut | Should -Match '(?m)^\s+API version:\s+1\.56 \(minimum version 1\.24\)'
        }

        It 'negotiates the client API version without downgrading' {
            $r.StdOut | Should -Match '(?m)^ API version:\s+1\.\d+\s*$'
        }

        It 'writes nothing to stderr' {
            $r.StdErr.Trim() | Should -BeNullOrEmpty
        }

        It 'reports no error' {
            $r.StdOut | Should -Not -Match '(?i)error'
        }
    }

    Context 'docker version with DOCKER_API_VERSION=<Version>' -ForEach @(@{ Version = '1.44' }, @{ Version = '1.24' }) {
        BeforeAll {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'version' -Environment @{ DOCKER_API_VERSION = $Version }
        }

        It 'exits 0 with no error' {
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdErr.Trim() | Should -BeNullOrEmpty
            $r.StdOut | Should -Not -Match '(?i)error'
        }

        It 'uses the requested client API version' {
            $r.StdOut | Should -Match "(?m)^ API version:\s+$([regex]::Escape($Version))\b"
        }

        It 'still shows the DockPS server' {
            $r.StdOut | Should -Match '(?m)^Server: DockPS'
            $r.StdOut | Should -Match '(?m)^\s+API version:\s+1\.56 \(minimum version 1\.24\)'
        }
    }

    Context 'docker version with an API version below the minimum' {
        It 'fails with the daemon''s clear message' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'version' -Environment @{ DOCKER_API_VERSION = '1.23' }
            $r.ExitCode | Should -Not -Be 0
            $r.StdErr | Should -Match 'client version 1\.23 is too old\. Minimum supported API version is 1\.24'
            Test-DockAnswers $t.Address | Should -BeTrue
        }
    }

    Context 'docker info' {
        BeforeAll {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'info'
        }

        It 'exits 0' {
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
        }

        It 'shows the server section with its facts' {
            $r.StdOut | Should -Match "(?m)^ Server Version: $([regex]::Escape($info.ServerVersion))\s*$"
            $r.StdOut | Should -Match '(?m)^ Storage Driver: overlay2\s*$'
            $r.StdOut | Should -Match "(?m)^ Docker Root Dir: $([regex]::Escape($t.DataRoot))\s*$"
            $r.StdOut | Should -Match "(?m)^ ID: $([regex]::Escape($info.Id))\s*$"
        }

        It 'reports no error in its output' {
            $r.StdOut | Should -Not -Match '(?i)error'
        }

        It 'writes no stderr about the API, versions or errors' {
            $unexpected = Get-UnexpectedStdErr $r.StdErr
            $unexpected | Where-Object { $_ -match '(?i)api|version|error' } | Should -BeNullOrEmpty
        }

        It 'writes no stderr besides the missing-runtime host warning' {
            Get-UnexpectedStdErr $r.StdErr | Should -BeNullOrEmpty
        }

        It 'agrees with Get-DockInfo on ServerVersion' {
            $f = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'info', '--format', '{{.ServerVersion}}'
            $f.ExitCode | Should -Be 0 -Because $f.StdErr
            $f.StdOut.Trim() | Should -Be $info.ServerVersion
        }

        It 'agrees with Get-DockInfo on the host facts' {
            $f = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'info', '--format', '{{.KernelVersion}}|{{.OperatingSystem}}|{{.NCPU}}|{{.MemTotal}}|{{.Driver}}|{{.DockerRootDir}}'
            $f.ExitCode | Should -Be 0 -Because $f.StdErr
            $f.StdOut.Trim() | Should -Be ($info.KernelVersion, $info.OperatingSystem, $info.CpuCount, $info.MemoryBytes, $info.StorageDriver, $info.DataRoot -join '|')
        }
    }

    Context 'DOCKER_HOST instead of -H' {
        It 'docker version exits 0 and shows the DockPS server' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments 'version' -Environment @{ DOCKER_HOST = $t.Address }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdOut | Should -Match '(?m)^Server: DockPS'
            $r.StdErr.Trim() | Should -BeNullOrEmpty
        }

        It 'docker info reaches the same daemon' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments 'info', '--format', '{{.ID}} {{.DockerRootDir}}' -Environment @{ DOCKER_HOST = $t.Address }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdOut.Trim() | Should -Be "$($info.Id) $($t.DataRoot)"
        }
    }

    Context 'docker events' {
        BeforeAll {
            $since = (Get-Date).AddSeconds(-1)
            Send-DaemonSignal $t HUP
            $script:events = $null
            $seen = Wait-DockCondition -TimeoutSeconds 30 -IntervalMilliseconds 200 -Condition {
                $script:events = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'events', '--since', (ConvertTo-DockerTimestamp $since),
                    '--until', (ConvertTo-DockerTimestamp (Get-Date)), '--format', '{{.Type}} {{.Action}}'
                $script:events.ExitCode -ne 0 -or $script:events.StdOut -match '(?m)^daemon reload$'
            }
        }

        It 'shows "daemon reload" after SIGHUP and ends at --until' {
            $seen | Should -BeTrue
            $events.ExitCode | Should -Be 0 -Because $events.StdErr
            $events.StdOut | Should -Match '(?m)^daemon reload$'
            $events.StdErr.Trim() | Should -BeNullOrEmpty
        }

        It 'filters by type' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'events', '--since', (ConvertTo-DockerTimestamp $since),
                '--until', (ConvertTo-DockerTimestamp (Get-Date)), '--filter', 'type=container', '--format', '{{.Type}} {{.Action}}'
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdOut | Should -Not -Match 'daemon reload'
        }

        It 'gives the event as JSON with the daemon as actor' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'events', '--since', (ConvertTo-DockerTimestamp $since),
                '--until', (ConvertTo-DockerTimestamp (Get-Date)), '--filter', 'event=reload', '--format', '{{json .}}'
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $event = ($r.StdOut -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1) | ConvertFrom-Json
            $event.Type | Should -Be 'daemon'
            $event.Action | Should -Be 'reload'
            $event.Actor.ID | Should -Be $info.Id
            $event.timeNano | Should -BeGreaterThan 0
        }
    }

    Context 'docker volume ls' {
        It 'exits 0 and lists no volumes on a fresh data root' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'volume', 'ls'
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdErr.Trim() | Should -BeNullOrEmpty
            $lines = @($r.StdOut -split "`n" | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^DRIVER\s+VOLUME NAME'
            $lines.Count | Should -Be 1
        }
    }

    Context 'an unknown route' {
        It 'is reported by docker as a daemon error, not a crash' {
            $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'plugin', 'inspect', 'no-such-plugin'
            $r.ExitCode | Should -Not -Be 0
            $r.StdErr | Should -Match 'Error response from daemon: page not found'
            $r.StdErr | Should -Not -Match '(?i)panic|goroutine'
            Test-DockAnswers $t.Address | Should -BeTrue
        }
    }
}
