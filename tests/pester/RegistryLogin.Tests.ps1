# Connect-Registry and Disconnect-Registry against Debian's docker-registry with a password, and
# the docker CLI sharing the same config.json. The daemon runs with a DOCKER_CONFIG of its own
# that holds no login, so every pull or push below that succeeds without -Credential got its
# login from the client (X-Registry-Auth), as with the docker CLI.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $savedConfig = [pscustomobject]@{ Value = $env:DOCKER_CONFIG }
    $work = New-DockTestDir
    $daemonConfig = Join-Path $work 'daemon-config'
    $null = New-Item -ItemType Directory $daemonConfig
    $env:DOCKER_CONFIG = $daemonConfig
    $t = New-TestDaemon
    # The client's folder does not exist yet: Connect-Registry creates it, as docker login does.
    $env:DOCKER_CONFIG = $clientConfig = Join-Path $work 'client-config'
    $configPath = Join-Path $clientConfig 'config.json'
    $env:DOCKPS_HOST = $t.Address

    $password = 'Pw-n0t-Sh0wn-7q'
    $wrongPassword = 'Wr0ng-n0t-Sh0wn-4k'
    $secure = Start-TestRegistry -User tester -Password $password
    $sreg = $secure.Address
    $image = "$sreg/private/busybox:1"
    $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
    $null = Import-Image $tarball $image -Change 'CMD ["sh"]'
    $good = [pscredential]::new('tester', (ConvertTo-SecureString $password -AsPlainText -Force))
    $bad = [pscredential]::new('tester', (ConvertTo-SecureString $wrongPassword -AsPlainText -Force))

    function Read-Config { Get-Content $configPath -Raw | ConvertFrom-Json -AsHashtable }
    function Get-Bytes { [System.IO.File]::ReadAllBytes($configPath) }
    function Get-Auths { (Read-Config).auths }
    function ConvertTo-Base64([string] $Text) { [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text)) }
    # Every record of every stream, expanded (messages, inner exceptions, targets), as one text.
    function ConvertTo-AllText { process { $_ | Format-List * -Force | Out-String; if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception | Format-List * -Force | Out-String; "$($_.Exception.InnerException)" } } }
    function Assert-NoSecret([object[]] $Records) {
        $text = ($Records | ConvertTo-AllText) -join "`n"
        $text | Should -Not -Match ([regex]::Escape($password))
        $text | Should -Not -Match ([regex]::Escape($wrongPassword))
        $text | Should -Not -Match ([regex]::Escape((ConvertTo-Base64 "tester:$password")))
    }
    $allRecords = [System.Collections.Generic.List[object]]::new()
}

AfterAll {
    Remove-TestDaemon $t
    Stop-TestRegistry $secure
    if ($savedConfig.Value) { $env:DOCKER_CONFIG = $savedConfig.Value } else { Remove-Item Env:DOCKER_CONFIG -ErrorAction Ignore }
    Restore-DockHost $savedHost
    if ($work -like '/tmp/dps-*') { Remove-Item $work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Connect-Registry' {
    It 'runs the daemon with a login folder of its own, so logins below come from the client' {
        $environ = [System.IO.File]::ReadAllText("/proc/$($t.Daemon.Pid)/environ") -split "`0"
        $environ | Should -Contain "DOCKER_CONFIG=$daemonConfig"
        Get-ChildItem $daemonConfig | Should -BeNullOrEmpty
    }

    It 'refuses anonymous pushes before any login' {
        $err = Get-DockErrorRecord { Publish-Image $image -ErrorAction Stop }
        $err.Exception.Message | Should -Match 'unauthori[sz]ed|anonymous|credential'
    }

    It 'refuses a wrong password with an AuthenticationError and stores nothing' {
        $records = @(Connect-Registry $sreg -Credential $bad -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue *>&1)
        $allRecords.AddRange($records)
        $ev | Should -HaveCount 1
        $ev[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RegistryLoginRefused,*'
        $ev[0].Exception.Message | Should -Match ([regex]::Escape($sreg))
        $ev[0].Exception.Message | Should -Match "user 'tester'"
        @($records | Where-Object { $_ -is [DockPS.Types.RegistryLogin] }) | Should -BeNullOrEmpty
        Test-Path $clientConfig | Should -BeFalse
    }

    It 'checks the right password and writes config.json as docker login does' {
        $records = @(Connect-Registry $sreg -Credential $good -Verbose *>&1)
        $allRecords.AddRange($records)
        $login = $records | Where-Object { $_ -is [DockPS.Types.RegistryLogin] }
        $login.Registry | Should -Be $sreg
        $login.UserName | Should -Be 'tester'
        $login.Persisted | Should -BeTrue
        $login.ConfigPath | Should -Be $configPath
        (Get-Auths)[$sreg].auth | Should -Be (ConvertTo-Base64 "tester:$password")
        (Get-Item $configPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item $clientConfig).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        @(Get-ChildItem $clientConfig -Force).Name | Should -Be @('config.json')
    }

    It 'lets Publish-Image and Receive-Image use the stored login without -Credential' {
        $records = @(Publish-Image $image -Verbose *>&1)
        $allRecords.AddRange($records)
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Using the stored login for $sreg (user 'tester', from $configPath)."
        Remove-Image $image -Force -Confirm:$false
        $records = @(Receive-Image $image -Verbose *>&1)
        $allRecords.AddRange($records)
        ($records | Where-Object { $_ -is [DockPS.Types.DockImage] }).Tags | Should -Contain $image
    }

    It 'keeps every other key of the file, and leaves it untouched when a later login is refused' {
        $config = Read-Config
        $config.auths['other.test:5000'] = @{ auth = (ConvertTo-Base64 'someone:else') }
        $config['detachKeys'] = 'ctrl-e,e'
        $config['otherTool'] = @{ setting = 42; list = @('a', 'b') }
        $config | ConvertTo-Json -Depth 5 | Set-Content $configPath
        $before = Get-Bytes

        $err = Get-DockErrorRecord { Connect-Registry $sreg -Credential $bad -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        Get-Bytes | Should -Be $before

        $null = Connect-Registry $sreg -Credential $good
        $after = Read-Config
        $after.auths['other.test:5000'].auth | Should -Be (ConvertTo-Base64 'someone:else')
        $after.auths[$sreg].auth | Should -Be (ConvertTo-Base64 "tester:$password")
        $after.detachKeys | Should -Be 'ctrl-e,e'
        $after.otherTool.setting | Should -Be 42
        $after.otherTool.list | Should -Be @('a', 'b')
    }

    It 'refuses something that is not a registry as InvalidArgument' {
        $err = Get-DockErrorRecord { Connect-Registry 'not a host' -Credential $good -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'warns when a credential helper would hide the entry from the docker CLI' {
        $helperDir = Join-Path $work 'helper-config'
        $null = New-Item -ItemType Directory $helperDir
        Set-Content (Join-Path $helperDir 'config.json') '{"credsStore": "dockps-test-none"}'
        $env:DOCKER_CONFIG = $helperDir
        try {
            $login = Connect-Registry $sreg -Credential $good -WarningVariable warnings -WarningAction SilentlyContinue
            $login.Persisted | Should -BeTrue
            "$warnings" | Should -Match "credential helper 'dockps-test-none'"
            (Get-Content (Join-Path $helperDir 'config.json') -Raw | ConvertFrom-Json).credsStore | Should -Be 'dockps-test-none'
        }
        finally { $env:DOCKER_CONFIG = $clientConfig }
    }
}

Describe 'Connect-Registry -Scope Session' {
    BeforeAll {
        $env:DOCKER_CONFIG = $sessionConfig = Join-Path $work 'session-config'
    }

    AfterAll {
        $env:DOCKER_CONFIG = $clientConfig
    }

    It 'keeps the login in memory only, and pulls with it' {
        $login = Connect-Registry $sreg -Credential $good -Scope Session
        $login.Persisted | Should -BeFalse
        $login.ConfigPath | Should -BeNullOrEmpty
        Test-Path $sessionConfig | Should -BeFalse
        Remove-Image $image -Force -Confirm:$false
        $records = @(Receive-Image $image -Verbose *>&1)
        $allRecords.AddRange($records)
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Using the stored login for $sreg (user 'tester', from this session)."
        ($records | Where-Object { $_ -is [DockPS.Types.DockImage] }).Tags | Should -Contain $image
    }

    It 'is forgotten by Disconnect-Registry, after which pulls are anonymous and refused' {
        Disconnect-Registry $sreg
        Test-Path $sessionConfig | Should -BeFalse
        $err = Get-DockErrorRecord { Receive-Image $image -ErrorAction Stop }
        $err.Exception.Message | Should -Match 'unauthori[sz]ed|anonymous|credential'
    }

    It 'wins over the config.json login until a config.json login replaces it' {
        $null = Connect-Registry $sreg -Credential $good -Scope Session
        $env:DOCKER_CONFIG = $clientConfig
        (Publish-Image $image -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain "Using the stored login for $sreg (user 'tester', from this session)."
        $null = Connect-Registry $sreg -Credential $good
        (Publish-Image $image -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain "Using the stored login for $sreg (user 'tester', from $configPath)."
    }
}

Describe 'Disconnect-Registry' {
    It 'changes nothing with -WhatIf' {
        $before = Get-Bytes
        $records = @(Disconnect-Registry $sreg -WhatIf -Verbose *>&1)
        $allRecords.AddRange($records)
        Get-Bytes | Should -Be $before
    }

    It 'removes the entry, keeps every other key, and leaves pulls anonymous' {
        Connect-Registry $sreg -Credential $good | Disconnect-Registry
        $config = Read-Config
        $config.auths.Keys | Should -Not -Contain $sreg
        $config.auths['other.test:5000'].auth | Should -Be (ConvertTo-Base64 'someone:else')
        $config.detachKeys | Should -Be 'ctrl-e,e'
        $config.otherTool.setting | Should -Be 42
        (Get-Item $configPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        $err = Get-DockErrorRecord { Receive-Image $image -ErrorAction Stop }
        $err.Exception.Message | Should -Match 'unauthori[sz]ed|anonymous|credential'
    }

    It 'says "Not logged in" for a registry without a login, and goes on with the next' {
        $null = Connect-Registry $sreg -Credential $good
        Disconnect-Registry '127.0.0.1:1', $sreg -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev | Should -HaveCount 1
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].Exception.Message | Should -Be 'Not logged in to 127.0.0.1:1.'
        (Get-Auths).Keys | Should -Not -Contain $sreg
    }
}

Describe 'The docker CLI and the cmdlets share config.json' {
    BeforeAll {
        function docker { Invoke-DockerCli -ConfigDir $clientConfig -Arguments (@('-H', $t.Address) + $args) -TimeoutSeconds 120 }
        $passwordFile = Join-Path $work 'password'
        [System.IO.File]::WriteAllText($passwordFile, $password)
    }

    It 'uses a docker login in Receive-Image, and Disconnect-Registry undoes it for docker too' {
        $r = Invoke-DockerCli -ConfigDir $clientConfig -StdIn $passwordFile -Arguments '-H', $t.Address, 'login', '--username', 'tester', '--password-stdin', $sreg
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Login Succeeded'
        Remove-Image $image -Force -Confirm:$false
        (Receive-Image $image).Tags | Should -Contain $image
        Disconnect-Registry $sreg
        (Get-Auths).Keys | Should -Not -Contain $sreg
        $r = docker logout $sreg
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (Get-Auths).Keys | Should -Not -Contain $sreg
    }

    It 'lets docker pull use a Connect-Registry login, and docker logout remove it' {
        $null = Connect-Registry $sreg -Credential $good
        Remove-Image $image -Force -Confirm:$false
        $r = docker pull $image
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-Image $image | Should -Not -BeNullOrEmpty
        $r = docker logout $sreg
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (Get-Auths).Keys | Should -Not -Contain $sreg
        $err = Get-DockErrorRecord { Disconnect-Registry $sreg -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Secrets' {
    It 'never shows a password in any stream of any cmdlet above' {
        $allRecords.Count | Should -BeGreaterThan 10
        Assert-NoSecret $allRecords.ToArray()
    }

    It 'never puts a password in the daemon log' {
        Get-Content $t.LogPath -Raw | Should -Not -Match "$([regex]::Escape($password))|$([regex]::Escape($wrongPassword))"
    }
}
