# Export-Image and Import-Image with archives (docker save / docker load), judged by the docker CLI and skopeo.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $env:DOCKPS_HOST = $t.Address
    $dockerConfig = Join-Path $t.Dir 'docker-config'
    $null = New-Item -ItemType Directory $dockerConfig
    $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
    $busybox = Import-Image $tarball busybox:latest -Change 'CMD ["sh"]'
    $tools = Import-Image $tarball tools:1 -Change 'CMD ["ls"]'
    $null = Add-ImageTag tools:1 tools:2
    $work = Join-Path $t.Dir 'archives'
    $null = New-Item -ItemType Directory $work
    function docker { Invoke-DockerCli -ConfigDir $dockerConfig -Arguments (@('-H', $t.Address) + $args) -TimeoutSeconds 120 }
    function Get-TarEntries([string] $Path) {
        $reader = [System.Formats.Tar.TarReader]::new([System.IO.File]::OpenRead($Path))
        try { while ($entry = $reader.GetNextEntry()) { $entry.Name } } finally { $reader.Dispose() }
    }
}

AfterAll {
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'Export-Image' {
    BeforeAll {
        $archive = Join-Path $work 'busybox.tar'
        Export-Image busybox $archive
    }

    It 'writes one tar that is both a docker save archive and an OCI image layout' {
        $entries = Get-TarEntries $archive
        $entries | Should -Contain 'manifest.json'
        $entries | Should -Contain 'index.json'
        $entries | Should -Contain 'oci-layout'
        $entries | Should -Contain "blobs/sha256/$($busybox.Id.Substring(7))"
    }

    It 'writes the same bytes docker save does' {
        $r = docker save -o (Join-Path $work 'docker-save.tar') busybox
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (Get-FileHash (Join-Path $work 'docker-save.tar')).Hash | Should -Be (Get-FileHash $archive).Hash
    }

    It 'is read by skopeo as a docker archive and as an OCI archive' {
        $docker = & skopeo inspect --raw "docker-archive:$archive" | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $docker.config.digest | Should -Be $busybox.Id
        $oci = & skopeo inspect --raw "oci-archive:$archive" | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $oci.config.digest | Should -Be $busybox.Id
    }

    It 'puts every image of the pipeline, with all its names, into one archive' {
        $both = Join-Path $work 'both.tar'
        Get-Image busybox, tools:1 | Export-Image -Path $both
        $index = & tar -xOf $both index.json | ConvertFrom-Json
        $index.manifests.annotations.'io.containerd.image.name' | Sort-Object | Should -Be @('busybox:latest', 'tools:1', 'tools:2')
        # A repository name without a tag takes all its tags, as docker save does; a tag only itself.
        Export-Image tools:1 $both
        $index = & tar -xOf $both index.json | ConvertFrom-Json
        $index.manifests.annotations.'io.containerd.image.name' | Should -Be @('tools:1')
    }

    It 'writes an OCI layout directory that skopeo reads' {
        $layout = Join-Path $work 'layout'
        $dir = Export-Image busybox $layout -Format OciLayout -PassThru
        $dir | Should -BeOfType ([System.IO.DirectoryInfo])
        Test-Path (Join-Path $layout 'oci-layout') | Should -BeTrue
        $oci = & skopeo inspect --raw "oci:$layout" | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $oci.config.digest | Should -Be $busybox.Id
    }

    It 'keeps an existing file with -NoClobber and writes nothing with -WhatIf' {
        $err = Get-DockErrorRecord { Export-Image busybox $archive -NoClobber -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExportTargetExists*'
        Export-Image busybox (Join-Path $work 'whatif.tar') -WhatIf
        Test-Path (Join-Path $work 'whatif.tar') | Should -BeFalse
    }

    It 'reports an unknown image as ObjectNotFound and leaves no file' {
        $err = Get-DockErrorRecord { Export-Image nothing:here (Join-Path $work 'none.tar') -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-ChildItem $work -Force -Filter '*none.tar*' | Should -BeNullOrEmpty
    }
}

Describe 'Import-Image with an archive' {
    BeforeAll {
        $archive = Join-Path $work 'busybox-load.tar'
        Export-Image busybox, tools $archive
    }

    It 'loads the images back with their names, as docker load does' {
        Remove-Image busybox, tools:1 -Force
        $loaded = Import-Image $archive
        $loaded | Should -HaveCount 2
        ($loaded | Where-Object Id -eq $busybox.Id).Tags | Should -Be @('busybox:latest')
        ($loaded | Where-Object Id -eq $tools.Id).Tags | Sort-Object | Should -Be @('tools:1', 'tools:2')
        (docker images --format '{{.Repository}}:{{.Tag}}').StdOut -split "`n" | Should -Contain 'tools:2'
    }

    It 'is matched by docker load' {
        Remove-Image busybox -Force
        $r = docker load -i $archive
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Loaded image: busybox:latest'
        (Get-Image busybox).Id | Should -Be $busybox.Id
    }

    It 'loads archives skopeo wrote: Docker''s format and an OCI archive' {
        & skopeo copy --quiet "oci-archive:$archive`:latest" "docker-archive:$work/skopeo-docker.tar:localhost:5000/skopeo/docker:1"
        $LASTEXITCODE | Should -Be 0
        & skopeo copy --quiet "oci-archive:$archive`:latest" "oci-archive:$work/skopeo-oci.tar:localhost:5000/skopeo/oci:1"
        $LASTEXITCODE | Should -Be 0
        # skopeo writes its own formats: Docker's older save layout (layer files linked from <id>/layer.tar)
        # and an OCI layout whose ref name is the whole reference.
        (Import-Image "$work/skopeo-docker.tar").Tags | Should -Contain 'localhost:5000/skopeo/docker:1'
        (Import-Image "$work/skopeo-oci.tar").Tags | Should -Contain 'localhost:5000/skopeo/oci:1'
        (Get-Image localhost:5000/skopeo/docker:1).Id | Should -Be $busybox.Id
        (Get-Image localhost:5000/skopeo/oci:1).Id | Should -Be $busybox.Id
    }

    It 'loads an OCI layout directory' {
        $layout = Join-Path $work 'layout-load'
        Export-Image tools:1 $layout -Format OciLayout
        Remove-Image tools:1
        (Import-Image $layout).Tags | Should -Contain 'tools:1'
    }

    It 'refuses -Reference for an archive, which names its own images' {
        $err = Get-DockErrorRecord { Import-Image $archive other:1 -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ArchiveTakesNoReference*'
    }

    It 'refuses a corrupt archive clearly, keeps nothing and goes on serving' {
        $before = @(Get-Image).Count
        $blobs = @(Get-ChildItem "$($t.DataRoot)/blobs/sha256").Count
        $bad = Join-Path $work 'bad'
        $null = New-Item -ItemType Directory "$bad/blobs/sha256"
        Set-Content "$bad/manifest.json" '[{"Config":"../../../etc/passwd","RepoTags":["evil:1"],"Layers":["x/layer.tar"]}]'
        Set-Content "$bad/oci-layout" '{"imageLayoutVersion":"1.0.0"}'
        $err = Get-DockErrorRecord { Import-Image $bad -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'LoadImageFailed*'
        $err.Exception.Message | Should -Match 'does not contain'
        @(Get-Image).Count | Should -Be $before
        @(Get-ChildItem "$($t.DataRoot)/blobs/sha256").Count | Should -Be $blobs
        $truncated = Join-Path $work 'truncated.tar'
        [System.IO.File]::WriteAllBytes($truncated, [System.IO.File]::ReadAllBytes($archive)[0..4000])
        $err = Get-DockErrorRecord { Import-Image $truncated -ErrorAction Stop }
        $err.Exception.Message | Should -Match 'truncated'
        @(Get-ChildItem "$($t.DataRoot)/blobs/sha256").Count | Should -Be $blobs
        (docker images -q).ExitCode | Should -Be 0
    }
}
