# The volume cmdlets against a real dockpsd, cross-checked with the real docker CLI and docker-py on the same daemon.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $env:DOCKPS_HOST = $t.Address
    $dockerConfig = Join-Path $t.Dir 'docker-config'
    $null = New-Item -ItemType Directory $dockerConfig
    function docker { Invoke-DockerCli -ConfigDir $dockerConfig -Arguments (@('-H', $t.Address) + $args) }
    function Get-VolumeName { @(Get-Volume | ForEach-Object Name | Sort-Object) }
}

AfterAll {
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'New-Volume' {
    It 'creates a named volume as a DockVolume' {
        $before = Get-Date
        $v = New-Volume -Name web-data -Label @{ team = 'web'; tier = 'front' }
        $v | Should -BeOfType ([DockPS.Types.DockVolume])
        $v.Name | Should -Be 'web-data'
        $v.Driver | Should -Be 'local'
        $v.Scope | Should -Be 'local'
        $v.Mountpoint | Should -Be "$($t.DataRoot)/volumes/web-data/_data"
        Test-Path $v.Mountpoint -PathType Container | Should -BeTrue
        $v.Labels['team'] | Should -Be 'web'
        $v.CreatedAt | Should -BeOfType ([datetime])
        $v.CreatedAt | Should -BeGreaterOrEqual $before.AddSeconds(-2)
        $v.Anonymous | Should -BeFalse
        $v.HostAddress | Should -Be $t.Address
    }

    It 'returns the existing volume for a name that is taken' {
        $again = New-Volume web-data -Label @{ other = 'x' }
        $again.Labels.Keys | Should -Not -Contain 'other'
        $again.CreatedAt | Should -Be (Get-Volume web-data).CreatedAt
    }

    It 'makes an anonymous volume without a name' {
        $v = New-Volume
        $v.Name | Should -Match '^[0-9a-f]{64}$'
        $v.Anonymous | Should -BeTrue
    }

    It 'keeps local driver options' {
        $v = New-Volume scratch -DriverOption @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=8m' }
        $v.Options['type'] | Should -Be 'tmpfs'
        $v.Options['o'] | Should -Be 'size=8m'
    }

    It 'refuses a name that is a path with InvalidArgument and creates nothing' -ForEach @(@{ Bad = '../x' }, @{ Bad = '/x' }, @{ Bad = 'a/b' }) {
        $before = Get-VolumeName
        $err = Get-DockErrorRecord { New-Volume -Name $Bad -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'NewVolumeFailed*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*includes invalid characters for a local volume name*'
        Get-VolumeName | Should -Be $before
    }

    It 'refuses unknown options (InvalidArgument) and drivers (ObjectNotFound)' {
        (Get-DockErrorRecord { New-Volume opt-vol -DriverOption @{ size = '1g' } -ErrorAction Stop }).CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err = Get-DockErrorRecord { New-Volume drv-vol -Driver flocker -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike '*plugin "flocker" not found*'
    }

    It 'creates nothing with -WhatIf' {
        New-Volume whatif-vol -WhatIf
        Get-VolumeName | Should -Not -Contain 'whatif-vol'
    }
}

Describe 'Get-Volume' {
    It 'lists the volumes docker volume ls lists' {
        $r = docker volume ls --format '{{.Name}}'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        @($r.StdOut -split "`n" | Where-Object { $_ } | Sort-Object) | Should -Be (Get-VolumeName)
    }

    It 'is what docker volume inspect reports' {
        $r = docker volume inspect web-data
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $inspect = ($r.StdOut | ConvertFrom-Json)[0]
        $v = Get-Volume web-data
        $inspect.Mountpoint | Should -Be $v.Mountpoint
        $inspect.Labels.team | Should -Be 'web'
        ([datetimeoffset]$inspect.CreatedAt).LocalDateTime | Should -Be $v.CreatedAt
    }

    It 'matches names with wildcards' {
        @(Get-Volume web*).Name | Should -Be @('web-data')
        Get-Volume nomatch* | Should -BeNullOrEmpty
    }

    It 'reports an unknown name as a non-terminating ObjectNotFound' {
        $result = Get-Volume no-such-volume, web-data -ErrorVariable problems -ErrorAction SilentlyContinue
        @($result).Name | Should -Be @('web-data')
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'VolumeNotFound*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Be 'get no-such-volume: no such volume'
    }

    It 'filters by label key and key=value' {
        @(Get-Volume -Label team).Name | Should -Be @('web-data')
        @(Get-Volume -Label team=web, tier=front).Name | Should -Be @('web-data')
        Get-Volume -Label team=db | Should -BeNullOrEmpty
        Get-Volume web-data -Label team=db | Should -BeNullOrEmpty
    }

    It 'lists dangling volumes (no container uses any yet)' {
        @(Get-Volume -Dangling).Name | Sort-Object | Should -Be (Get-VolumeName)
    }

    It 'binds names from the pipeline by property' {
        ([pscustomobject]@{ Name = 'web-data' } | Get-Volume).Name | Should -Be 'web-data'
    }

    It 'completes volume names on Tab' {
        $line = 'Remove-Volume web'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('web-data')
        $line = 'Get-Volume -Name scr'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('scratch')
    }

    It 'shows a table with Name, Driver, Created and Labels' {
        $text = Get-Volume web-data | Out-String -Width 200
        $text | Should -Match 'Name\s+Driver\s+Created\s+Labels'
        $text | Should -Match 'web-data\s+local\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+team=web, tier=front'
    }
}

Describe 'Remove-Volume' {
    It 'removes nothing with -WhatIf and the volume and its data with -Confirm:$false' {
        $v = New-Volume doomed
        Set-Content (Join-Path $v.Mountpoint 'file') 'data'
        Remove-Volume doomed -WhatIf
        Get-VolumeName | Should -Contain 'doomed'
        Remove-Volume doomed -Confirm:$false
        Get-VolumeName | Should -Not -Contain 'doomed'
        Test-Path (Split-Path $v.Mountpoint) | Should -BeFalse
    }

    It 'takes volumes from Get-Volume through the pipeline' {
        $null = 'pipe-1', 'pipe-2' | New-Volume
        Get-Volume pipe-* | Remove-Volume -Confirm:$false
        Get-Volume pipe-* | Should -BeNullOrEmpty
    }

    It 'reports a missing volume as ObjectNotFound, and -Force makes it no error' {
        $err = Get-DockErrorRecord { Remove-Volume never-was -Confirm:$false -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -BeLike 'VolumeNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Remove-Volume never-was -Force -Confirm:$false -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
    }

    It 'is matched by docker volume rm' {
        $null = New-Volume cli-rm
        $r = docker volume rm cli-rm
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut.Trim() | Should -Be 'cli-rm'
        Get-VolumeName | Should -Not -Contain 'cli-rm'
        $r = docker volume rm cli-rm
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'get cli-rm: no such volume'
    }
}

Describe 'Clear-Volume' {
    It 'removes unused anonymous volumes only and reports them' {
        $anonymous = New-Volume
        Set-Content (Join-Path $anonymous.Mountpoint 'file') ('x' * 999) -NoNewline
        $named = Get-VolumeName | Where-Object { $_ -notmatch '^[0-9a-f]{64}$' }
        $result = Clear-Volume -Confirm:$false
        $result | Should -BeOfType ([DockPS.Types.DockPruneResult])
        $result.Deleted | Should -Contain $anonymous.Name
        $result.SpaceReclaimed | Should -BeGreaterOrEqual 999
        Get-VolumeName | Should -Be @($named)
    }

    It 'removes nothing with -WhatIf' {
        $before = Get-VolumeName
        Clear-Volume -All -WhatIf
        Get-VolumeName | Should -Be $before
    }

    It 'removes named volumes with -All, limited by -Label' {
        $null = New-Volume stage-a -Label @{ stage = 'test' }
        $null = New-Volume stage-b -Label @{ stage = 'prod' }
        (Clear-Volume -All -Label stage=test -Confirm:$false).Deleted | Should -Be @('stage-a')
        (Clear-Volume -All -Filter @{ 'label!' = 'stage' } -Confirm:$false).Deleted | Should -Not -Contain 'stage-b'
        Get-VolumeName | Should -Be @('stage-b')
    }

    It 'matches docker volume prune (anonymous only) and docker volume prune --all' {
        $anonymous = New-Volume
        $null = New-Volume kept-by-prune
        $r = docker volume prune -f
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match $anonymous.Name
        $r.StdOut | Should -Match 'Total reclaimed space'
        Get-VolumeName | Should -Contain 'kept-by-prune'
        $r = docker volume prune --all -f
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        Get-VolumeName | Should -BeNullOrEmpty
    }
}

Describe 'docker volume CLI against dockpsd' {
    It 'creates with labels and options and shows them in inspect' {
        $r = docker volume create --label env=ci --opt type=tmpfs --opt device=tmpfs --opt o=size=4m cli-vol
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut.Trim() | Should -Be 'cli-vol'
        $inspect = ((docker volume inspect cli-vol).StdOut | ConvertFrom-Json)[0]
        $inspect.Driver | Should -Be 'local'
        $inspect.Labels.env | Should -Be 'ci'
        $inspect.Options.type | Should -Be 'tmpfs'
        $inspect.Options.o | Should -Be 'size=4m'
        (Get-Volume cli-vol).Labels['env'] | Should -Be 'ci'
    }

    It 'filters ls by label and dangling' {
        $r = docker volume ls -q --filter label=env=ci --filter dangling=true
        $r.StdOut.Trim() | Should -Be 'cli-vol'
    }

    It 'shows the daemon message for a bad name' {
        $r = docker volume create ../escape
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match '"\.\./escape" includes invalid characters for a local volume name'
        Test-Path "$($t.DataRoot)/escape" | Should -BeFalse
    }

    It 'removes with docker volume rm -f even when missing' {
        (docker volume rm -f cli-vol).ExitCode | Should -Be 0
        (docker volume rm -f cli-vol).ExitCode | Should -Be 0
        Get-VolumeName | Should -Not -Contain 'cli-vol'
    }
}

Describe 'docker-py against dockpsd' {
    It 'creates, lists, inspects, removes and prunes volumes' {
        $script = @'
import json, sys, docker
client = docker.DockerClient(base_url=sys.argv[1])
old = docker.DockerClient(base_url=sys.argv[1], version="1.41")
v = client.volumes.create(name="py-vol", labels={"from": "python"})
anon = client.api.create_volume()
listed = sorted(x.name for x in client.volumes.list(filters={"label": "from=python"}))
got = client.volumes.get("py-vol")
try:
    client.volumes.get("py-missing")
    missing = "found"
except docker.errors.NotFound as e:
    missing = e.explanation
# The negotiated API (1.56) prunes anonymous volumes only; API 1.41 predates that and prunes all.
pruned = client.volumes.prune()["VolumesDeleted"]
anon2 = client.api.create_volume()
pruned_old = old.volumes.prune()["VolumesDeleted"]
print(json.dumps({"listed": listed, "labels": got.attrs["Labels"], "mountpoint": got.attrs["Mountpoint"], "missing": missing,
                  "pruned": pruned, "anon": anon["Name"], "pruned_old": sorted(pruned_old), "anon2": anon2["Name"]}))
'@
        $file = Join-Path $t.Dir 'volumes.py'
        Set-Content $file $script
        $out = & /usr/bin/python3 $file $t.Address 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $result = ($out -join "`n") | ConvertFrom-Json
        $result.listed | Should -Be @('py-vol')
        $result.labels.from | Should -Be 'python'
        $result.mountpoint | Should -Be "$($t.DataRoot)/volumes/py-vol/_data"
        $result.missing | Should -Be 'get py-missing: no such volume'
        $result.pruned | Should -Be @($result.anon)
        $result.pruned_old | Should -Be @(@($result.anon2, 'py-vol') | Sort-Object)
        Get-VolumeName | Should -Not -Contain 'py-vol'
    }
}

Describe 'Get-DockInfo after volumes' {
    It 'counts the volumes' {
        $null = New-Volume counted
        (Get-DockInfo).Volumes | Should -Be @(Get-Volume).Count
    }
}
