# Pull and push between dockpsd and Debian's docker-registry, judged by the docker CLI and skopeo.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $registry = Start-TestRegistry
    $secure = Start-TestRegistry -User tester -Password 'S3cret!pw'
    $env:DOCKPS_HOST = $t.Address
    $dockerConfig = Join-Path $t.Dir 'docker-config'
    $null = New-Item -ItemType Directory $dockerConfig
    $reg = $registry.Address
    $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
    $null = Import-Image $tarball busybox:latest -Change 'CMD ["sh"]'
    function docker { Invoke-DockerCli -ConfigDir $dockerConfig -Arguments (@('-H', $t.Address) + $args) -TimeoutSeconds 120 }
    function Get-ManifestBytes([string] $Reference) {
        # skopeo prints the raw manifest exactly as the registry serves it.
        [System.Text.Encoding]::UTF8.GetBytes((& skopeo inspect --raw --tls-verify=false "docker://$Reference" | Out-String).TrimEnd("`n"))
    }
}

AfterAll {
    Remove-TestDaemon $t
    Stop-TestRegistry $registry
    Stop-TestRegistry $secure
    Restore-DockHost $savedHost
}

Describe 'Publish-Image' {
    BeforeAll {
        Add-ImageTag busybox:latest "$reg/tools/busybox:1"
        $pushed = Publish-Image "$reg/tools/busybox:1" -PassThru
    }

    It 'pushes and records the digest the registry gave' {
        $pushed.RepoDigests | Should -HaveCount 1
        $pushed.RepoDigests[0] | Should -Match "^$([regex]::Escape($reg))/tools/busybox@sha256:[0-9a-f]{64}$"
    }

    It 'leaves an image skopeo can read and copy' {
        $inspect = & skopeo inspect --tls-verify=false "docker://$reg/tools/busybox:1" | ConvertFrom-Json
        $inspect.Digest | Should -Be $pushed.Digest
        & skopeo copy --quiet --src-tls-verify=false "docker://$reg/tools/busybox:1" "dir:$($t.Dir)/skopeo-dir"
        $LASTEXITCODE | Should -Be 0
        Test-Path "$($t.Dir)/skopeo-dir/manifest.json" | Should -BeTrue
    }

    It 'skips layers the registry already has' {
        Add-ImageTag busybox:latest "$reg/tools/busybox:2"
        $r = docker push "$reg/tools/busybox:2"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Layer already exists'
    }

    It 'mounts layers from another repository of the same registry' {
        Add-ImageTag busybox:latest "$reg/other/busybox:1"
        $r = docker push "$reg/other/busybox:1"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Mounted from tools/busybox|Layer already exists'
    }

    It 'refuses a name without a registry, saying why' {
        $err = Get-DockErrorRecord { Publish-Image busybox:latest -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'no default'
    }
}

Describe 'Receive-Image' {
    It 'pulls back what was pushed, by tag, after the local copy is gone' {
        # One forced removal takes the image with all four of its names, as docker rmi -f does.
        Remove-Image busybox:latest -Force -Confirm:$false
        Get-Image "$reg/tools/busybox:2" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $image = Receive-Image "$reg/tools/busybox:1"
        $image.Tags | Should -Contain "$reg/tools/busybox:1"
        $image.Config.Cmd | Should -Be @('sh')
    }

    It 'is what docker pull shows, with the same digest' {
        $r = docker pull "$reg/tools/busybox:1"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $digest = (Get-Image "$reg/tools/busybox:1").Digest
        $r.StdOut | Should -Match ([regex]::Escape("Digest: $digest"))
    }

    It 'pulls by digest' {
        $digest = (Get-Image "$reg/tools/busybox:1").Digest
        $image = Receive-Image "$reg/tools/busybox@$digest"
        $image.RepoDigests | Should -Contain "$reg/tools/busybox@$digest"
    }

    It 'pulls an OCI image that skopeo pushed, and pushes it back byte-identical' {
        & skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --format oci "docker://$reg/tools/busybox:1" "docker://$reg/skopeo/oci:1"
        $LASTEXITCODE | Should -Be 0
        $original = Get-ManifestBytes "$reg/skopeo/oci:1"
        $null = Receive-Image "$reg/skopeo/oci:1"
        Add-ImageTag "$reg/skopeo/oci:1" "$reg/roundtrip/oci:1"
        $null = Publish-Image "$reg/roundtrip/oci:1"
        Get-ManifestBytes "$reg/roundtrip/oci:1" | Should -Be $original
    }

    It 'pulls a Docker schema 2 image that skopeo pushed, and pushes it back byte-identical' {
        & skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --format v2s2 "docker://$reg/tools/busybox:1" "docker://$reg/skopeo/v2s2:1"
        $LASTEXITCODE | Should -Be 0
        $original = Get-ManifestBytes "$reg/skopeo/v2s2:1"
        ([System.Text.Encoding]::UTF8.GetString($original) | ConvertFrom-Json).mediaType | Should -Be 'application/vnd.docker.distribution.manifest.v2+json'
        $null = Receive-Image "$reg/skopeo/v2s2:1"
        Add-ImageTag "$reg/skopeo/v2s2:1" "$reg/roundtrip/v2s2:1"
        $null = Publish-Image "$reg/roundtrip/v2s2:1"
        Get-ManifestBytes "$reg/roundtrip/v2s2:1" | Should -Be $original
    }

    It 'stops on Ctrl+C mid-download, leaving nothing half-pulled and the daemon serving' {
        # The proxy of the registry client's tests, stalling each connection 1 MB in.
        $tests = Get-ChildItem "$PSScriptRoot/../DockPS.Registry.Tests/bin/*/net10.0/DockPS.Registry.Tests.dll" | Sort-Object LastWriteTime | Select-Object -Last 1
        Add-Type -Path $tests.FullName
        $null = New-Item -ItemType Directory "$($t.Dir)/big"
        & head -c 3000000 /dev/urandom > "$($t.Dir)/big/data.bin"
        & tar -C "$($t.Dir)/big" -cf "$($t.Dir)/big.tar" data.bin
        $null = Import-Image "$($t.Dir)/big.tar" "$reg/ctrlc/big:1"
        $null = Publish-Image "$reg/ctrlc/big:1"
        Remove-Image "$reg/ctrlc/big:1" -Force -Confirm:$false
        $proxy = [DockPS.Registry.Tests.Infrastructure.DroppingProxy]::Stalling([int]$reg.Split(':')[1], 1000000)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-Module DockPS).Path).AddStatement().
                AddCommand('Receive-Image').AddArgument("$($proxy.Host)/ctrlc/big:1").AddParameter('HostAddress', $t.Address)
            $run = $ps.BeginInvoke()
            Wait-DockCondition { $proxy.Cuts -gt 0 } | Should -BeTrue
            $ps.Stop()  # what Ctrl+C does: the cmdlet's StopProcessing
            $run.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Wait-DockCondition { -not (Get-ChildItem "$($t.DataRoot)/tmp" -Force) } | Should -BeTrue
            Get-Image "$($proxy.Host)/ctrlc/big:1" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            @(Get-Image).Count | Should -BeGreaterThan 0
        }
        finally {
            $ps.Dispose()
            $proxy.Dispose()
        }
    }

    It 'reports an unknown image as ObjectNotFound' {
        $err = Get-DockErrorRecord { Receive-Image "$reg/no/such:image" -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Registries with a password' {
    BeforeAll {
        $sreg = $secure.Address
        Add-ImageTag busybox:latest "$sreg/private/busybox:1" -ErrorAction SilentlyContinue
        if (-not (Get-Image "$sreg/private/busybox:1" -ErrorAction SilentlyContinue)) {
            $null = Import-Image $tarball "$sreg/private/busybox:1"
        }
        $good = [pscredential]::new('tester', (ConvertTo-SecureString 'S3cret!pw' -AsPlainText -Force))
        $bad = [pscredential]::new('tester', (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force))
    }

    It 'pushes and pulls with the right credential' {
        Publish-Image "$sreg/private/busybox:1" -Credential $good
        Remove-Image "$sreg/private/busybox:1" -Force -Confirm:$false
        (Receive-Image "$sreg/private/busybox:1" -Credential $good).Tags | Should -Contain "$sreg/private/busybox:1"
    }

    It 'refuses a wrong password clearly, and never shows it' {
        $err = Get-DockErrorRecord { Receive-Image "$sreg/private/busybox:1" -Credential $bad -ErrorAction Stop }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'unauthori[sz]ed|authentication|credential'
        $err.Exception.Message | Should -Not -Match 'wrong-password'
        Get-Content (Join-Path $t.ExecRoot 'dockpsd.log') -Raw | Should -Not -Match 'wrong-password|S3cret'
    }

    It 'refuses anonymous access' {
        $err = Get-DockErrorRecord { Receive-Image "$sreg/private/busybox:1" -ErrorAction Stop }
        $err | Should -Not -BeNullOrEmpty
    }

    It 'logs in with docker login against dockpsd (POST /auth)' {
        $start = [System.Diagnostics.ProcessStartInfo]::new('docker')
        foreach ($a in '-H', $t.Address, 'login', '--username', 'tester', '--password-stdin', $sreg) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardInput = $true; $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true
        $start.Environment['DOCKER_CONFIG'] = $dockerConfig
        $p = [System.Diagnostics.Process]::Start($start)
        $p.StandardInput.Write('S3cret!pw'); $p.StandardInput.Close()
        $out = $p.StandardOutput.ReadToEnd(); $errText = $p.StandardError.ReadToEnd(); $p.WaitForExit()
        $p.ExitCode | Should -Be 0 -Because $errText
        $out | Should -Match 'Login Succeeded'
    }
}
