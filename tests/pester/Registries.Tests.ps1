# Get-RegistryRepository, Get-RegistryTag, Get-RegistryManifest and Remove-RegistryManifest
# against Debian's docker-registry (open, and with a password), filled by Publish-Image through a
# test daemon and by skopeo; skopeo's view of the registry is the judge of what the cmdlets say.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $savedConfig = [pscustomobject]@{ Value = $env:DOCKER_CONFIG }
    $t = New-TestDaemon
    $env:DOCKPS_HOST = $t.Address
    # Logins below go to a config.json of this test only.
    $env:DOCKER_CONFIG = Join-Path $t.Dir 'docker-config'
    $registry = Start-TestRegistry
    $password = 'Pw-n0t-Sh0wn-3x'
    $wrongPassword = 'Wr0ng-n0t-Sh0wn-9z'
    $secure = Start-TestRegistry -User tester -Password $password
    $reg = $registry.Address
    $sreg = $secure.Address
    $good = [pscredential]::new('tester', (ConvertTo-SecureString $password -AsPlainText -Force))
    $bad = [pscredential]::new('tester', (ConvertTo-SecureString $wrongPassword -AsPlainText -Force))

    function Copy-Image {
        # skopeo copy between loopback registries; any further arguments (--format) go first.
        $out = & skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "skopeo copy $args failed: $out" }
    }
    function Get-RawManifest {
        # The manifest exactly as the registry serves it, according to skopeo.
        $out = & skopeo inspect --raw --tls-verify=false @args
        if ($LASTEXITCODE -ne 0) { throw "skopeo inspect --raw $args failed" }
        ($out | Out-String).TrimEnd("`n")
    }

    $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
    $null = Import-Image $tarball busybox:latest -Change 'CMD ["sh"]'
    Add-ImageTag busybox:latest "$reg/team/a:1"
    $null = Publish-Image "$reg/team/a:1"
    Add-ImageTag busybox:latest "$sreg/private/busybox:1"
    $null = Publish-Image "$sreg/private/busybox:1" -Credential $good
    foreach ($target in 'team/a:2', 'team/b:1', 'team/c:1', 'other/d:1') { Copy-Image "docker://$reg/team/a:1" "docker://$reg/$target" }
    $expectedRepositories = @('other/d', 'team/a', 'team/b', 'team/c')
}

AfterAll {
    Remove-TestDaemon $t
    Stop-TestRegistry $registry
    Stop-TestRegistry $secure
    if ($savedConfig.Value) { $env:DOCKER_CONFIG = $savedConfig.Value } else { Remove-Item Env:DOCKER_CONFIG -ErrorAction Ignore }
    Restore-DockHost $savedHost
}

Describe 'Get-RegistryRepository' {
    It 'lists the catalog as RegistryRepository objects' {
        $repos = @(Get-RegistryRepository $reg)
        $repos[0] | Should -BeOfType DockPS.Types.RegistryRepository
        $repos.Registry | Select-Object -Unique | Should -Be $reg
        @($repos.Repository | Sort-Object) | Should -Be $expectedRepositories
        ($repos | Where-Object Repository -eq 'team/a').Name | Should -Be "$reg/team/a"
    }

    It 'reads every page when the registry pages the catalog' {
        # The registry really pages with n=2: one request gives two entries and a next link.
        $page = Invoke-WebRequest "http://$reg/v2/_catalog?n=2"
        @(($page.Content | ConvertFrom-Json).repositories) | Should -HaveCount 2
        "$($page.Headers['Link'])" | Should -Match 'rel="next"'
        @((Get-RegistryRepository $reg -PageSize 2).Repository | Sort-Object) | Should -Be $expectedRepositories
        @((Get-RegistryRepository $reg -PageSize 1).Repository | Sort-Object) | Should -Be $expectedRepositories
    }

    It 'filters by wildcard, and reports an exact name that is missing as ObjectNotFound' {
        @((Get-RegistryRepository $reg -Name 'team/*').Repository | Sort-Object) | Should -Be @('team/a', 'team/b', 'team/c')
        $found = @(Get-RegistryRepository $reg -Name other/d, nosuch/repo -ErrorVariable ev -ErrorAction SilentlyContinue)
        $found.Repository | Should -Be @('other/d')
        $ev | Should -HaveCount 1
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RegistryRepositoryNotFound,*'
    }

    It 'refuses something that is not a registry as InvalidArgument' {
        $err = Get-DockErrorRecord { Get-RegistryRepository 'not a host' -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'completes repository names from the registry' {
        $line = "Get-RegistryTag -Repository $reg/team/"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be @("$reg/team/a", "$reg/team/b", "$reg/team/c")
        $line = "Get-RegistryRepository $reg -Name oth"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('other/d')
    }
}

Describe 'Get-RegistryTag' {
    It 'lists the tags of host/repository' {
        $tags = @(Get-RegistryTag "$reg/team/a")
        $tags[0] | Should -BeOfType DockPS.Types.RegistryTag
        @($tags.Tag | Sort-Object) | Should -Be @('1', '2')
        ($tags | Where-Object Tag -eq '2').Reference | Should -Be "$reg/team/a:2"
        @((& skopeo list-tags --tls-verify=false "docker://$reg/team/a" | ConvertFrom-Json).Tags | Sort-Object) | Should -Be @($tags.Tag | Sort-Object)
    }

    It 'takes repositories from Get-RegistryRepository through the pipeline' {
        $tags = @(Get-RegistryRepository $reg -Name 'team/*' | Get-RegistryTag)
        @($tags | ForEach-Object Reference | Sort-Object) | Should -Be @("$reg/team/a:1", "$reg/team/a:2", "$reg/team/b:1", "$reg/team/c:1")
    }

    It 'takes a bare path with -Registry, and filters tags by wildcard' {
        @((Get-RegistryTag team/a -Registry $reg -Tag '[2-9]').Tag) | Should -Be @('2')
    }

    It 'reports an unknown repository and an unknown exact tag as ObjectNotFound' {
        $err = Get-DockErrorRecord { Get-RegistryTag "$reg/nosuch/repo" -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryRepositoryNotFound,*'
        $err = Get-DockErrorRecord { Get-RegistryTag "$reg/team/a" -Tag 9 -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryTagNotFound,*'
    }

    It 'refuses bad references as InvalidArgument' {
        foreach ($bad in "$reg/Team/A", "$reg/team/a:1", 'team/a', "$reg/team/a@sha256:1234") {
            $err = Get-DockErrorRecord { Get-RegistryTag $bad -ErrorAction Stop }
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument' -Because $bad
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidRegistryReference,*'
        }
        $err = Get-DockErrorRecord { Get-RegistryTag "$reg/team/a" -Registry 'localhost:1' -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Get-RegistryManifest' {
    BeforeAll {
        $raw = Get-RawManifest "docker://$reg/team/a:1"
        $json = $raw | ConvertFrom-Json
        $digest = (& skopeo inspect --tls-verify=false "docker://$reg/team/a:1" | ConvertFrom-Json).Digest
    }

    It 'inspects an image: digest, media type, size, config, layers and total size' {
        $m = Get-RegistryManifest "$reg/team/a:1"
        $m | Should -BeOfType DockPS.Types.RegistryManifest
        $m.Kind | Should -Be 'Image'
        $m.Digest | Should -Be $digest
        $m.Tag | Should -Be '1'
        $m.Reference | Should -Be "$reg/team/a@$digest"
        $m.MediaType | Should -Be $json.mediaType
        $m.Size | Should -Be ([System.Text.Encoding]::UTF8.GetByteCount($raw))
        $m.Config.Digest | Should -Be $json.config.digest
        $m.Config.Size | Should -Be $json.config.size
        @($m.Layers.Digest) | Should -Be @($json.layers.digest)
        @($m.Layers.Size) | Should -Be @($json.layers.size)
        @($m.Layers.MediaType) | Should -Be @($json.layers.mediaType)
        $m.TotalSize | Should -Be ($json.config.size + ($json.layers.size | Measure-Object -Sum).Sum)
        $m.Manifests | Should -BeNullOrEmpty
    }

    It 'inspects by digest, and by tag from Get-RegistryTag through the pipeline' {
        $byDigest = Get-RegistryManifest "$reg/team/a@$digest"
        $byDigest.Digest | Should -Be $digest
        $byDigest.Tag | Should -BeNullOrEmpty
        $piped = @(Get-RegistryTag "$reg/team/a" | Get-RegistryManifest)
        $piped | Should -HaveCount 2
        $piped.Digest | Select-Object -Unique | Should -Be $digest
    }

    It 'gives the JSON text exactly as served with -Raw' {
        Get-RegistryManifest "$reg/team/a:1" -Raw | Should -BeExactly $raw
    }

    It 'shows a table with the short digest, kind, layer count and size' {
        $text = Get-RegistryManifest "$reg/team/a:1" | Out-String -Width 200
        $text | Should -Match ([regex]::Escape($digest.Substring(0, 19)))
        $text | Should -Match 'Image\s+1 layer\(s\)'
    }

    It 'completes references with the tags of the repository typed so far' {
        $line = "Get-RegistryManifest $reg/team/a:"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @("$reg/team/a:1", "$reg/team/a:2")
    }

    It 'reports an unknown tag, digest or repository as ObjectNotFound, and bad references as InvalidArgument' {
        $missing = 'sha256:' + ('0' * 64)
        foreach ($unknown in "$reg/team/a:9", "$reg/team/a@$missing", "$reg/nosuch/repo:1") {
            $err = Get-DockErrorRecord { Get-RegistryManifest $unknown -ErrorAction Stop }
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound' -Because $unknown
            $err.FullyQualifiedErrorId | Should -BeLike 'RegistryManifestNotFound,*'
        }
        foreach ($bad in "$reg/team/a:bad tag", 'team/a:1', "$reg/team/a@sha256:short") {
            $err = Get-DockErrorRecord { Get-RegistryManifest $bad -ErrorAction Stop }
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument' -Because $bad
        }
    }

    It 'inspects an index with its platforms, the one skopeo copy --all copies' {
        Copy-Image --format v2s2 "docker://$reg/team/a:1" "docker://$reg/multi/app:amd64"
        Copy-Image --format oci "docker://$reg/team/a:1" "docker://$reg/multi/app:arm64"
        $amd = Get-RegistryManifest "$reg/multi/app:amd64"
        $arm = Get-RegistryManifest "$reg/multi/app:arm64"
        $index = [ordered]@{
            schemaVersion = 2
            mediaType     = 'application/vnd.oci.image.index.v1+json'
            manifests     = @(
                [ordered]@{ mediaType = $amd.MediaType; digest = $amd.Digest; size = $amd.Size; platform = [ordered]@{ architecture = 'amd64'; os = 'linux' } }
                [ordered]@{ mediaType = $arm.MediaType; digest = $arm.Digest; size = $arm.Size; platform = [ordered]@{ architecture = 'arm64'; os = 'linux'; variant = 'v8' } }
            )
        } | ConvertTo-Json -Depth 5 -Compress
        $null = Invoke-WebRequest -Method Put "http://$reg/v2/multi/app/manifests/all" -ContentType 'application/vnd.oci.image.index.v1+json' -Body $index
        Copy-Image --all "docker://$reg/multi/app:all" "docker://$reg/multi/copy:all"

        $m = Get-RegistryManifest "$reg/multi/copy:all"
        $m.Kind | Should -Be 'Index'
        $m.MediaType | Should -Be 'application/vnd.oci.image.index.v1+json'
        $m.Digest | Should -Be (Get-RegistryManifest "$reg/multi/app:all").Digest
        @($m.Manifests.Platform) | Should -Be @('linux/amd64', 'linux/arm64/v8')
        @($m.Manifests.Digest) | Should -Be @($amd.Digest, $arm.Digest)
        $m.Layers | Should -BeNullOrEmpty
        $m.TotalSize | Should -BeNullOrEmpty
        Get-RegistryManifest "$reg/multi/copy:all" -Raw | Should -BeExactly $index
        (Get-RegistryManifest "$reg/multi/copy@$($m.Manifests[1].Digest)").Kind | Should -Be 'Image'
        (Get-RegistryManifest "$reg/multi/copy:all" | Out-String -Width 200) | Should -Match 'Index\s+linux/amd64, linux/arm64/v8'
    }
}

Describe 'Remove-RegistryManifest' {
    BeforeAll {
        Copy-Image --format oci "docker://$reg/team/a:1" "docker://$reg/del/tag:oci"
        Copy-Image "docker://$reg/del/tag:oci" "docker://$reg/del/tag:oci-too"
        Copy-Image --format v2s2 "docker://$reg/team/a:1" "docker://$reg/del/tag:v2"
        Copy-Image "docker://$reg/team/a:1" "docker://$reg/del/digest:1"
        Copy-Image "docker://$reg/team/a:1" "docker://$reg/del/pipe:1"
    }

    It 'deletes nothing with -WhatIf' {
        $digest = (Get-RegistryManifest "$reg/del/digest:1").Digest
        Remove-RegistryManifest "$reg/del/digest:1", "$reg/del/digest@$digest" -WhatIf
        (Get-RegistryManifest "$reg/del/digest:1").Digest | Should -Be $digest
        (Get-RegistryTag "$reg/del/digest").Tag | Should -Be @('1')
    }

    It 'deletes by digest' {
        $digest = (Get-RegistryManifest "$reg/del/digest:1").Digest
        Remove-RegistryManifest "$reg/del/digest@$digest" -Confirm:$false
        $err = Get-DockErrorRecord { Get-RegistryManifest "$reg/del/digest@$digest" -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        & skopeo inspect --raw --tls-verify=false "docker://$reg/del/digest:1" 2>$null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'deletes by tag the manifest it points to, with every tag on that manifest and no other' {
        Remove-RegistryManifest "$reg/del/tag:oci" -Confirm:$false
        @((Get-RegistryTag "$reg/del/tag").Tag) | Should -Be @('v2')
        (Get-RegistryManifest "$reg/del/tag:v2").Kind | Should -Be 'Image'
    }

    It 'deletes what Get-RegistryManifest gives through the pipeline, by its digest' {
        $m = Get-RegistryManifest "$reg/del/pipe:1"
        $m | Remove-RegistryManifest -Confirm:$false
        $err = Get-DockErrorRecord { Get-RegistryManifest $m.Reference -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports an unknown tag or digest as ObjectNotFound, and a bad reference as InvalidArgument' {
        $err = Get-DockErrorRecord { Remove-RegistryManifest "$reg/team/a:9" -Confirm:$false -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistryManifestNotFound,*'
        $err = Get-DockErrorRecord { Remove-RegistryManifest "$reg/team/a@sha256:$('0' * 64)" -Confirm:$false -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err = Get-DockErrorRecord { Remove-RegistryManifest "$reg/team/A:1" -Confirm:$false -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @((Get-RegistryTag "$reg/team/a").Tag | Sort-Object) | Should -Be @('1', '2')
    }
}

Describe 'Registry cmdlets with a password' {
    It 'work with -Credential' {
        (Get-RegistryRepository $sreg -Credential $good).Repository | Should -Be @('private/busybox')
        (Get-RegistryTag "$sreg/private/busybox" -Credential $good).Tag | Should -Be @('1')
        (Get-RegistryManifest "$sreg/private/busybox:1" -Credential $good).Kind | Should -Be 'Image'
    }

    It 'use the login Connect-Registry stored when given no -Credential' {
        $null = Connect-Registry $sreg -Credential $good -Scope Session
        try {
            $records = @(Get-RegistryTag "$sreg/private/busybox" -Verbose 4>&1)
            ($records | Where-Object { $_ -is [DockPS.Types.RegistryTag] }).Tag | Should -Be @('1')
            ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain "Using the stored login for $sreg (user 'tester', from this session)."
        }
        finally { Disconnect-Registry $sreg -Confirm:$false }
    }

    It 'report a wrong password as an AuthenticationError that never shows it' {
        foreach ($call in { Get-RegistryRepository $sreg -Credential $bad -ErrorAction Stop },
            { Get-RegistryTag "$sreg/private/busybox" -Credential $bad -ErrorAction Stop },
            { Remove-RegistryManifest "$sreg/private/busybox:1" -Credential $bad -Confirm:$false -ErrorAction Stop }) {
            $err = Get-DockErrorRecord $call
            $err.CategoryInfo.Category | Should -Be 'AuthenticationError' -Because "$call"
            $err.FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
            $err.Exception.Message | Should -Match "user 'tester'"
            ($err | Format-List * -Force | Out-String) + $err.Exception.InnerException | Should -Not -Match ([regex]::Escape($wrongPassword))
        }
        (Get-RegistryTag "$sreg/private/busybox" -Credential $good).Tag | Should -Be @('1')
    }

    It 'report no credentials at all as an AuthenticationError' {
        $err = Get-DockErrorRecord { Get-RegistryManifest "$sreg/private/busybox:1" -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
