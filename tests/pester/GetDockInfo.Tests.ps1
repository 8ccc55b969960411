# Get-DockInfo against a real dockpsd: every fact is checked against the host it runs on.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
}

AfterAll {
    Restore-DockHost $savedHost
}

Describe 'Get-DockInfo' {
    BeforeAll {
        $t = New-TestDaemon
        $info = Get-DockInfo -HostAddress $t.Address
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'returns exactly one DockPS.Types.DockInfo' {
        @($info).Count | Should -Be 1
        $info | Should -BeOfType DockPS.Types.DockInfo
        $info.PSObject.TypeNames[0] | Should -Be 'DockPS.Types.DockInfo'
    }

    It 'names the address it reached' {
        $info.HostAddress | Should -Be $t.Address
    }

    It 'names the DockPS engine and its version' {
        $info.Product | Should -Match 'DockPS'
        $info.ServerVersion | Should -Match '^\d+\.\d+\.\d+'
    }

    It 'reports API version 1.56, minimum 1.24' {
        $info.ApiVersion | Should -Be '1.56'
        $info.MinApiVersion | Should -Be '1.24'
    }

    It 'reports the data root it was started with' {
        $info.DataRoot | Should -Be $t.DataRoot
    }

    It 'reports the overlay2 storage driver' {
        $info.StorageDriver | Should -Be 'overlay2'
    }

    It 'has a stable Id and the host name' {
        $info.Id | Should -Not -BeNullOrEmpty
        (Get-DockInfo -HostAddress $t.Address).Id | Should -Be $info.Id
        $info.Name | Should -Be ([System.Environment]::MachineName)
    }

    It 'reports the host operating system' {
        $pretty = (Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME=', '' -replace '^"|"$', ''
        $info.OperatingSystem | Should -Be $pretty
        $info.OSType | Should -Be 'linux'
    }

    It 'reports the kernel release and architecture' {
        $info.KernelVersion | Should -Be (& uname -r)
        $info.Architecture | Should -Be (& uname -m)
    }

    It 'reports CPUs and memory' {
        $info.CpuCount | Should -Be ([System.Environment]::ProcessorCount)
        $memTotalKb = [long]((Get-Content /proc/meminfo | Where-Object { $_ -like 'MemTotal:*' }) -replace '\D', '')
        $info.MemoryBytes | Should -Be ($memTotalKb * 1024)
    }

    It 'reports the cgroup version of the host' {
        $expected = if (Test-Path /sys/fs/cgroup/cgroup.controllers) { '2' } else { '1' }
        $info.CgroupVersion | Should -Be $expected
    }

    It 'lists the OCI runtimes found on PATH, and warns when there is none' {
        $found = @('crun', 'runc' | Where-Object { Get-Command $_ -CommandType Application -ErrorAction Ignore })
        , $info.Runtimes | Should -BeOfType [string[]]
        foreach ($runtime in $found) { $info.Runtimes | Should -Contain $runtime }
        if ($found.Count -eq 0) {
            $info.Runtimes.Count | Should -Be 0
            $info.Warnings -join "`n" | Should -Match 'no OCI runtime'
        }
    }

    It 'counts no containers, images or volumes on a fresh data root' {
        $info.Containers | Should -Be 0
        $info.ContainersRunning | Should -Be 0
        $info.Images | Should -Be 0
        $info.Volumes | Should -Be 0
    }

    It 'has no labels when started without any' {
        $info.Labels.Count | Should -Be 0
    }

    It 'reports the daemon clock' {
        $info.SystemTime | Should -BeGreaterThan (Get-Date).AddMinutes(-5)
        $info.SystemTime | Should -BeLessThan (Get-Date).AddMinutes(5)
    }

    It 'shows in the default list view with server and API lines' {
        $text = $info | Out-String
        $text | Should -Match "Server\s*:\s*$([regex]::Escape($info.Product)) $([regex]::Escape($info.ServerVersion))"
        $text | Should -Match 'API\s*:\s*1\.56 \(minimum 1\.24\)'
        $text | Should -Match ([regex]::Escape($t.DataRoot))
    }
}

Describe 'Get-DockInfo chooses its daemon' {
    BeforeAll {
        $t = New-TestDaemon
        $dir = New-DockTestDir
        $nowhere = "unix://$dir/none.sock"
    }
    AfterAll {
        Remove-TestDaemon $t
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'uses $env:DOCKPS_HOST when -HostAddress is absent' {
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = $t.Address
            $info = Get-DockInfo
        }
        finally { $env:DOCKPS_HOST = $saved }
        $info.HostAddress | Should -Be $t.Address
        $info.DataRoot | Should -Be $t.DataRoot
    }

    It 'prefers -HostAddress over $env:DOCKPS_HOST' {
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = $nowhere
            $info = Get-DockInfo -HostAddress $t.Address
        }
        finally { $env:DOCKPS_HOST = $saved }
        $info.HostAddress | Should -Be $t.Address
        $info.DataRoot | Should -Be $t.DataRoot
    }

    It 'takes HostAddress from a piped DockDaemon' {
        ($t.Daemon | Get-DockInfo).DataRoot | Should -Be $t.DataRoot
    }

    It 'fails with DockInfoFailed / ConnectionError naming an address nobody listens on' {
        $err = Get-DockErrorRecord { Get-DockInfo -HostAddress $nowhere -ErrorAction Stop }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'DockInfoFailed,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match ([regex]::Escape($nowhere))
    }

    It 'fails with ConnectionError for a $env:DOCKPS_HOST nobody listens on' {
        $saved = $env:DOCKPS_HOST
        try {
            $env:DOCKPS_HOST = $nowhere
            $err = Get-DockErrorRecord { Get-DockInfo -ErrorAction Stop }
        }
        finally { $env:DOCKPS_HOST = $saved }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match ([regex]::Escape($nowhere))
    }

    It 'fails with ConnectionError for a loopback TCP port nobody listens on' {
        $address = "tcp://127.0.0.1:$(Get-FreeTcpPort)"
        $err = Get-DockErrorRecord { Get-DockInfo -HostAddress $address -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match ([regex]::Escape($address))
    }

    It 'rejects an address that is not unix:// or tcp:// with InvalidArgument' {
        $err = Get-DockErrorRecord { Get-DockInfo -HostAddress 'ftp://example' -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'ftp://example'
    }
}

Describe 'Get-DockInfo of a daemon started with --label' {
    BeforeAll {
        $t = Start-TestDaemonProcess -Label 'env=test', 'tier=gold'
        $info = Get-DockInfo -HostAddress $t.Address
    }
    AfterAll {
        Remove-TestDaemon $t
    }

    It 'reports the labels in order' {
        $info.Labels | Should -Be @('env=test', 'tier=gold')
    }

    It 'reports the data root given on the command line' {
        $info.DataRoot | Should -Be $t.DataRoot
    }
}
