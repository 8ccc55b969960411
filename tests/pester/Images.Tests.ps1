# The image cmdlets against a real dockpsd, cross-checked with the real docker CLI on the same daemon.

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
    function docker { Invoke-DockerCli -ConfigDir $dockerConfig -Arguments (@('-H', $t.Address) + $args) }
}

AfterAll {
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'Import-Image' {
    BeforeAll {
        $image = Import-Image $tarball busybox:latest -Change 'CMD ["sh"]', 'ENV GREETING=hi', 'LABEL suite=images' -Message 'from busybox-static'
    }

    It 'returns the new image as a DockImage' {
        $image | Should -BeOfType ([DockPS.Types.DockImage])
        $image.Id | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.Tags | Should -Be @('busybox:latest')
        $image.Repository | Should -Be 'busybox'
        $image.Tag | Should -Be 'latest'
    }

    It 'carries the configuration the changes asked for' {
        $image.Config.Cmd | Should -Be @('sh')
        $image.Config.Env | Should -Contain 'GREETING=hi'
        $image.Labels['suite'] | Should -Be 'images'
        $image.Os | Should -Be 'linux'
        $image.Layers.Count | Should -Be 1
    }

    It 'is what docker inspect reports' {
        $r = docker image inspect busybox:latest
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $inspect = ($r.StdOut | ConvertFrom-Json)[0]
        $inspect.Id | Should -Be $image.Id
        $inspect.Config.Cmd | Should -Be @('sh')
        $inspect.RootFS.Layers | Should -Be $image.Layers
        $inspect.Size | Should -Be $image.Size
    }

    It 'refuses a bad change with InvalidArgument and stores nothing' {
        $before = @(Get-Image).Count
        $err = Get-DockErrorRecord { Import-Image $tarball bad:1 -Change 'RUN rm -rf /' -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'ImportImageFailed*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'RUN is not an instruction'
        @(Get-Image).Count | Should -Be $before
    }

    It 'reports a missing tarball as ObjectNotFound' {
        $err = Get-DockErrorRecord { Import-Image (Join-Path $t.Dir 'missing.tar') x -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'rejects a tarball whose entries escape the root' {
        $evil = Join-Path $t.Dir 'evil.tar'
        $work = Join-Path $t.Dir 'evil'
        $null = New-Item -ItemType Directory "$work/a"
        Set-Content "$work/a/x" 'x'
        & tar -C "$work/a" -cf $evil '--transform=s,^,../../,' x
        $err = Get-DockErrorRecord { Import-Image $evil evil:1 -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '\.\./'
        Get-Image evil:1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'works from docker import too, with the same result shape' {
        $r = Invoke-DockerCli -ConfigDir $dockerConfig -Arguments '-H', $t.Address, 'import', '--change', 'CMD ["true"]', '-', 'fromdocker:1' -StdIn $tarball
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut.Trim() | Should -Match '^sha256:[0-9a-f]{64}$'
        (Get-Image fromdocker:1).Config.Cmd | Should -Be @('true')
    }
}

Describe 'Get-Image' {
    It 'lists the images docker images lists' {
        $ours = @(Get-Image | ForEach-Object Id | Sort-Object -Unique)
        $r = docker images --no-trunc --format '{{.ID}}'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        @($r.StdOut -split "`n" | Where-Object { $_ } | Sort-Object -Unique) | Should -Be $ours
    }

    It 'matches names with wildcards' {
        @(Get-Image busy*).Tags | Should -Contain 'busybox:latest'
        Get-Image nomatch* | Should -BeNullOrEmpty
    }

    It 'finds an image by short ID' {
        $image = Get-Image busybox:latest
        (Get-Image $image.ShortId).Id | Should -Be $image.Id
    }

    It 'reports an unknown name as a non-terminating ObjectNotFound' {
        $result = Get-Image no/such:image, busybox:latest -ErrorVariable problems -ErrorAction SilentlyContinue
        @($result).Count | Should -Be 1
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows a table with Repository, Tag, ImageId, Created and Size' {
        $text = Get-Image busybox:latest | Out-String -Width 200
        $text | Should -Match 'Repository\s+Tag\s+ImageId\s+Created\s+Size'
        $text | Should -Match 'busybox\s+latest\s+[0-9a-f]{12}'
    }

    It 'filters by label' {
        @(Get-Image -Filter @{ label = 'suite=images' }).Tags | Should -Be @('busybox:latest')
    }
}

Describe 'Add-ImageTag and Remove-Image' {
    It 'adds a name that docker tag would add' {
        $tagged = Add-ImageTag busybox:latest localhost:5000/tools/busybox:1 -PassThru
        $tagged.Tags | Should -Contain 'localhost:5000/tools/busybox:1'
        # A registry-qualified name: the docker CLI sends it unchanged (see about_DockPS on short names).
        $r = docker tag busybox:latest localhost:5000/other:2
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (Get-Image busybox:latest).Tags | Should -Contain 'localhost:5000/other:2'
    }

    It 'refuses to remove an image with several names by ID without -Force' {
        $id = (Get-Image busybox:latest).Id
        $err = Get-DockErrorRecord { Remove-Image $id -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -Match 'must be forced'
    }

    It 'removes one name at a time, and -WhatIf removes nothing' {
        Remove-Image localhost:5000/other:2 -WhatIf
        (Get-Image busybox:latest).Tags | Should -Contain 'localhost:5000/other:2'
        $report = Remove-Image localhost:5000/other:2 -PassThru -Confirm:$false
        $report.Action | Should -Be 'Untagged'
        (Get-Image busybox:latest).Tags | Should -Not -Contain 'localhost:5000/other:2'
    }

    It 'is matched by docker rmi' {
        $r = docker rmi localhost:5000/tools/busybox:1
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Untagged: localhost:5000/tools/busybox:1'
    }

    It 'takes images from the pipeline and deletes the last name with the image' {
        $null = Import-Image $tarball gone:1 -Change 'CMD ["gone"]'
        $report = Get-Image gone* | Remove-Image -PassThru -Confirm:$false
        $report.Action | Should -Be @('Untagged', 'Deleted')
        Get-Image gone:1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Get-ImageHistory' {
    It 'has the import step, as docker history shows it' {
        $steps = @(Get-ImageHistory busybox:latest)
        $steps.Count | Should -Be 1
        $steps[0].Comment | Should -Be 'from busybox-static'
        $steps[0].Size | Should -BeGreaterThan 1MB
        $r = docker history --no-trunc --format '{{.Comment}}' busybox:latest
        $r.StdOut.Trim() | Should -Be 'from busybox-static'
    }
}

Describe 'Clear-Image' {
    It 'removes dangling images only, as docker image prune does' {
        $dangling = Import-Image $tarball -Change 'CMD ["dangling"]'
        $dangling.Tags | Should -BeNullOrEmpty
        @(Get-Image -Dangling).Id | Should -Contain $dangling.Id
        $result = Clear-Image -Confirm:$false
        $result.Deleted | Should -Contain $dangling.Id
        Get-Image -Dangling | Should -BeNullOrEmpty
        Get-Image busybox:latest | Should -Not -BeNullOrEmpty
    }

    It 'runs from docker image prune -f with the same effect' {
        $null = Import-Image $tarball -Change 'CMD ["again"]'
        $r = docker image prune -f
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'Total reclaimed space'
        Get-Image -Dangling | Should -BeNullOrEmpty
    }
}

Describe 'Get-DockInfo after images' {
    It 'counts the images' {
        (Get-DockInfo).Images | Should -Be @(Get-Image).Count
    }
}
