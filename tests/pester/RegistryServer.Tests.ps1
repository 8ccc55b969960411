# Start-Registry, Get-Registry and Stop-Registry: the bundled dockps-registry as a background
# process that outlives the session that started it; with a password, the docker CLI (through a
# test dockpsd) logs in, pushes and pulls. Every registry started here is stopped by its PID.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $modulePath = Get-DockTestModulePath
    $savedHost = Use-SafeDockHost
    $work = New-DockTestDir
    $started = [System.Collections.Generic.List[int]]::new()

    # Records the PID of every registry a test starts, so AfterAll stops what a failed test left.
    function Start-TestedRegistry {
        $server = Start-Registry @args -ErrorAction Stop
        $started.Add($server.Pid)
        $server
    }
    function Get-Status([string] $Url, [string] $User, [string] $Password) {
        $headers = @{}
        if ($User) { $headers.Authorization = 'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("${User}:$Password")) }
        (Invoke-WebRequest "$Url/v2/" -Headers $headers -SkipHttpErrorCheck).StatusCode
    }
}

AfterAll {
    foreach ($id in $started) {
        if ((Test-ProcessAlive $id) -and (Get-ProcessCommandLine $id) -match 'dockps-registry') { Stop-Process -Id $id -ErrorAction Ignore }
    }
    Get-Registry | Where-Object Path -like "$work/*" | Stop-Registry -ErrorAction Ignore
    Restore-DockHost $savedHost
    if ($work -like '/tmp/dps-*') { Remove-Item $work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Start-Registry' {
    It 'starts a registry that outlives the PowerShell session that started it' {
        $port = Get-FreeTcpPort
        $path = Join-Path $work 'outlives'
        $pwsh = Join-Path $PSHOME 'pwsh'
        $childPid = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$modulePath'; (Start-Registry -Path '$path' -Port $port -ErrorAction Stop).Pid"
        $LASTEXITCODE | Should -Be 0
        $started.Add([int]$childPid)

        $server = Get-Registry -Port $port
        $server.Pid | Should -Be ([int]$childPid)
        $server.Path | Should -Be $path
        $server.Address | Should -Be "127.0.0.1:$port"
        $server.Auth | Should -Be 'None'
        $server.Tls | Should -BeFalse
        Test-ProcessAlive $server.Pid | Should -BeTrue
        Get-Status $server.Url | Should -Be 200
        Test-Path (Join-Path $path 'dockps-registry.json') | Should -BeTrue
    }

    It 'returns a DockRegistryServer shown as a table' {
        $server = Start-TestedRegistry -Path (Join-Path $work 'table') -Port (Get-FreeTcpPort)
        $server | Should -BeOfType DockPS.Types.DockRegistryServer
        $server.StartTime | Should -BeOfType datetime
        $table = $server | Format-Table | Out-String
        $table | Should -Match 'Port\s+Pid\s+Url\s+Auth\s+Path\s+Started'
        $table | Should -Match ([regex]::Escape($server.Url))
    }

    It 'refuses a port in use with ResourceUnavailable and starts nothing' {
        $port = Get-FreeTcpPort
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        $listener.Start()
        try {
            $err = Get-DockErrorRecord { Start-Registry -Path (Join-Path $work 'busy') -Port $port -ErrorAction Stop }
        }
        finally { $listener.Stop() }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryPortInUse,*'
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        Get-Registry -Port $port -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a path that is a file, a missing htpasswd file and plain HTTP off loopback with InvalidArgument' {
        $file = Join-Path $work 'a-file'
        Set-Content $file 'x'
        $err = Get-DockErrorRecord { Start-Registry -Path $file -Port (Get-FreeTcpPort) -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryPathInvalid,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err = Get-DockErrorRecord { Start-Registry -Path (Join-Path $work 'x') -HtpasswdPath (Join-Path $work 'none') -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryFileNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err = Get-DockErrorRecord { Start-Registry -Path (Join-Path $work 'x') -ListenAddress 0.0.0.0 -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryListenNotAllowed,*'
        $err.Exception.Message | Should -Match 'loopback'
        Test-Path (Join-Path $work 'x') | Should -BeFalse
    }

    It 'with -Credential refuses anonymous access and accepts the credential' {
        $password = 'Reg-Pw-9x!'
        $credential = [pscredential]::new('keeper', (ConvertTo-SecureString $password -AsPlainText -Force))
        $path = Join-Path $work 'locked'
        $server = Start-TestedRegistry -Path $path -Port (Get-FreeTcpPort) -Credential $credential
        $server.Auth | Should -Be 'Password'
        $server.HtpasswdPath | Should -Be (Join-Path $path 'auth/htpasswd')
        Get-Content $server.HtpasswdPath -Raw | Should -Match '^keeper:\$2y\$'
        Get-Content $server.HtpasswdPath -Raw | Should -Not -Match ([regex]::Escape($password))

        $anonymous = Invoke-WebRequest "$($server.Url)/v2/" -SkipHttpErrorCheck
        $anonymous.StatusCode | Should -Be 401
        "$($anonymous.Headers['WWW-Authenticate'])" | Should -BeLike "Bearer realm=`"$($server.Url)/auth/token`"*"
        Get-Status $server.Url keeper 'wrong' | Should -Be 401
        Get-Status $server.Url keeper $password | Should -Be 200
        Get-Content $server.LogPath -Raw | Should -Not -Match ([regex]::Escape($password))
    }

    It 'serves HTTPS with -CertificatePath and -KeyPath' {
        $cert = Join-Path $work 'cert.pem'
        $key = Join-Path $work 'key.pem'
        & openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout $key -out $cert 2>$null
        $LASTEXITCODE | Should -Be 0
        $server = Start-TestedRegistry -Path (Join-Path $work 'tls') -Port (Get-FreeTcpPort) -CertificatePath $cert -KeyPath $key
        $server.Tls | Should -BeTrue
        $server.Url | Should -BeLike 'https://127.0.0.1:*'
        (Invoke-WebRequest "$($server.Url)/v2/" -SkipCertificateCheck).StatusCode | Should -Be 200
        $err = Get-DockErrorRecord { Start-Registry -Path (Join-Path $work 'tls2') -CertificatePath $cert -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryTlsIncomplete,*'
    }
}

Describe 'Get-Registry' {
    It 'reports a port with no registry as ObjectNotFound' {
        $err = Get-DockErrorRecord { Get-Registry -Port (Get-FreeTcpPort) -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryNotRunning,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'drops a registry whose process is gone' {
        $server = Start-TestedRegistry -Path (Join-Path $work 'killed') -Port (Get-FreeTcpPort)
        Stop-Process -Id $server.Pid
        Wait-DockCondition -TimeoutSeconds 10 -Condition { -not (Test-ProcessAlive $server.Pid) } | Should -BeTrue
        @(Get-Registry | Where-Object Port -eq $server.Port) | Should -BeNullOrEmpty
        Test-Path (Join-Path $server.Path 'dockps-registry.json') | Should -BeFalse
    }

    It 'completes -Port with the running registries' {
        $server = Start-TestedRegistry -Path (Join-Path $work 'complete') -Port (Get-FreeTcpPort)
        $line = "Stop-Registry -Port $("$($server.Port)".Substring(0, 2))"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.CompletionText | Should -Contain "$($server.Port)"
    }
}

Describe 'Stop-Registry' {
    It 'does nothing with -WhatIf' {
        $server = Start-TestedRegistry -Path (Join-Path $work 'whatif') -Port (Get-FreeTcpPort)
        Stop-Registry -Port $server.Port -WhatIf
        Test-ProcessAlive $server.Pid | Should -BeTrue
        (Get-Registry -Port $server.Port).Pid | Should -Be $server.Pid
    }

    It 'stops a registry piped from Get-Registry and forgets it' {
        $server = Start-TestedRegistry -Path (Join-Path $work 'piped') -Port (Get-FreeTcpPort)
        Get-Registry -Port $server.Port | Stop-Registry
        Test-ProcessAlive $server.Pid | Should -BeFalse
        Get-Registry -Port $server.Port -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-DockAnswers "tcp://$($server.Address)" | Should -BeFalse
        Test-Path (Join-Path $server.Path 'dockps-registry.json') | Should -BeFalse
    }

    It 'reports a port with no registry as ObjectNotFound' {
        Stop-Registry -Port (Get-FreeTcpPort) -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RegistryNotRunning,*'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'The docker CLI through dockpsd, against a registry with a password' {
    BeforeAll {
        $t = New-TestDaemon
        $env:DOCKPS_HOST = $t.Address
        $clientConfig = Join-Path $work 'docker-config'
        $null = New-Item -ItemType Directory $clientConfig
        function docker { Invoke-DockerCli -ConfigDir $clientConfig -Arguments (@('-H', $t.Address) + $args) -TimeoutSeconds 120 }
        $password = 'D0cker-Pw-k3'
        $passwordFile = Join-Path $work 'docker-password'
        [System.IO.File]::WriteAllText($passwordFile, $password)
        $credential = [pscredential]::new('pusher', (ConvertTo-SecureString $password -AsPlainText -Force))
        $registry = Start-TestedRegistry -Path (Join-Path $work 'docker') -Port (Get-FreeTcpPort) -Credential $credential
        $image = "$($registry.Address)/team/busybox:1"
        $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
        $null = Import-Image $tarball $image -Change 'CMD ["sh"]'
    }

    AfterAll {
        Remove-TestDaemon $t
        $env:DOCKPS_HOST = 'unix:///tmp/dps-no-daemon-here.sock'
    }

    It 'refuses a push before login and stores nothing' {
        $r = docker push $image
        $r.ExitCode | Should -Not -Be 0
        "$($r.StdOut)$($r.StdErr)" | Should -Match 'requested access to the resource is denied'
        Test-Path (Join-Path $registry.Path 'repositories/team/busybox') | Should -BeFalse
    }

    It 'refuses a wrong password at login' {
        $wrong = Join-Path $work 'wrong-password'
        [System.IO.File]::WriteAllText($wrong, 'not-it')
        $r = Invoke-DockerCli -ConfigDir $clientConfig -StdIn $wrong -Arguments '-H', $t.Address, 'login', '--username', 'pusher', '--password-stdin', $registry.Address
        $r.ExitCode | Should -Not -Be 0
    }

    It 'logs in, pushes, and pulls back the same image' {
        $r = Invoke-DockerCli -ConfigDir $clientConfig -StdIn $passwordFile -Arguments '-H', $t.Address, 'login', '--username', 'pusher', '--password-stdin', $registry.Address
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Login Succeeded'
        $id = (Get-Image $image).Id
        $r = docker push $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Test-Path (Join-Path $registry.Path 'repositories/team/busybox/_tags/1') | Should -BeTrue

        Remove-Image $image -Force -Confirm:$false
        $r = docker pull $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (Get-Image $image).Id | Should -Be $id
    }

    It 'never writes the password to the registry or daemon logs' {
        Get-Content $registry.LogPath -Raw | Should -Not -Match ([regex]::Escape($password))
        Get-Content $t.LogPath -Raw | Should -Not -Match ([regex]::Escape($password))
    }
}

Describe "Debian's dockerd 20.10, against a registry with a password" {
    # Another engine's client code judges the registry: dockerd logs in through the registry's
    # token flow, pushes and pulls; dockpsd then pulls what dockerd pushed and the reverse, and
    # both engines agree on the image IDs.
    BeforeAll {
        $docker = Start-TestDockerd
        $t = New-TestDaemon
        $env:DOCKPS_HOST = $t.Address
        $clientConfig = Join-Path $work 'dockerd-config'
        $null = New-Item -ItemType Directory $clientConfig
        function dockerd-cli { Invoke-DockerCli -ConfigDir $clientConfig -Arguments (@('-H', $docker.Address) + $args) -TimeoutSeconds 120 }
        function dockps-cli { Invoke-DockerCli -ConfigDir $clientConfig -Arguments (@('-H', $t.Address) + $args) -TimeoutSeconds 120 }
        $password = 'Debian-Pw-20'
        $passwordFile = Join-Path $work 'dockerd-password'
        [System.IO.File]::WriteAllText($passwordFile, $password)
        $credential = [pscredential]::new('pusher', (ConvertTo-SecureString $password -AsPlainText -Force))
        $registry = Start-TestedRegistry -Path (Join-Path $work 'dockerd') -Port (Get-FreeTcpPort) -Credential $credential
        $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
        function Get-ImageId([scriptblock] $Cli, [string] $Reference) {
            $r = & $Cli image inspect --format '{{.Id}}' $Reference
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdOut.Trim()
        }
    }

    AfterAll {
        Stop-TestDockerd $docker
        Remove-TestDaemon $t
        $env:DOCKPS_HOST = 'unix:///tmp/dps-no-daemon-here.sock'
    }

    It 'is the engine the issue names' {
        $r = dockerd-cli version --format '{{.Server.Version}}'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match '^20\.10\.'
    }

    It 'refuses its push before login and stores nothing' {
        $image = "$($registry.Address)/debian/busybox:1"
        $r = dockerd-cli import --change 'CMD ["sh"]' $tarball $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r = dockerd-cli push $image
        $r.ExitCode | Should -Not -Be 0
        "$($r.StdOut)$($r.StdErr)" | Should -Match 'denied: requested access to the resource is denied'
        Test-Path (Join-Path $registry.Path 'repositories/debian/busybox') | Should -BeFalse
    }

    It 'logs in, pushes, and pulls back the same image' {
        $image = "$($registry.Address)/debian/busybox:1"
        $r = Invoke-DockerCli -ConfigDir $clientConfig -StdIn $passwordFile -Arguments '-H', $docker.Address, 'login', '--username', 'pusher', '--password-stdin', $registry.Address
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $id = Get-ImageId ${function:dockerd-cli} $image
        $r = dockerd-cli push $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Test-Path (Join-Path $registry.Path 'repositories/debian/busybox/_tags/1') | Should -BeTrue

        $r = dockerd-cli rmi $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r = dockerd-cli pull $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-ImageId ${function:dockerd-cli} $image | Should -Be $id
    }

    It 'serves what dockerd pushed to dockpsd, and what dockpsd pushed to dockerd, under the same IDs' {
        $fromDockerd = "$($registry.Address)/debian/busybox:1"
        $r = dockps-cli pull $fromDockerd
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-ImageId ${function:dockps-cli} $fromDockerd | Should -Be (Get-ImageId ${function:dockerd-cli} $fromDockerd)

        $fromDockps = "$($registry.Address)/dockps/busybox:2"
        $null = Import-Image $tarball $fromDockps -Change 'CMD ["sh"]'
        $r = dockps-cli push $fromDockps
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r = dockerd-cli pull $fromDockps
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-ImageId ${function:dockerd-cli} $fromDockps | Should -Be (Get-ImageId ${function:dockps-cli} $fromDockps)
    }

    It 'never writes the password to the registry log' {
        Get-Content $registry.LogPath -Raw | Should -Not -Match ([regex]::Escape($password))
    }
}
