# Containers as the real docker CLI (and python docker) see them: run, logs, exec, stop, rm,
# an interactive shell on a pty, volumes, isolation, and bad input — each judged by the client.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/BaseImage.psm1') -Force
    $null = Import-DockTestModule
    $savedHost = Use-SafeDockHost
    $t = New-TestDaemon
    $config = Join-Path $t.Dir 'docker-config'
    $null = New-Item -ItemType Directory $config
    $tarball = (New-BusyboxTarball -Path (Join-Path $t.Dir 'busybox.tar')).FullName
    $null = Import-Image $tarball busybox:latest -Change 'CMD ["sh"]' -HostAddress $t.Address

    # A simple function (no param block), so that -d, -v, -e reach docker instead of PowerShell.
    function docker {
        Invoke-DockerCli -ConfigDir $config -Arguments (@('-H', $t.Address) + @($args | ForEach-Object { "$_" })) -TimeoutSeconds 60
    }

    # What a container leaves on the host: mounts under the test folder, monitor processes,
    # container folders and runtime folders; and when it was taken, for the cgroups below.
    function Get-ContainerTrace {
        [pscustomobject]@{
            Mounts      = @(Get-MountUnder $t.Dir)
            Monitors    = @(Get-ContainerMonitorId -Under $t.Dir)
            Folders     = @(Get-ChildItem (Join-Path $t.DataRoot 'containers') -Directory -ErrorAction Ignore).Name
            RuntimeDirs = @(Get-ChildItem (Join-Path $t.ExecRoot 'c') -Directory -ErrorAction Ignore).Name
            Since       = ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000).ToString('0.000', [cultureinfo]::InvariantCulture)
        }
    }

    # The cgroups (in any controller) of the containers this daemon created since the trace was taken.
    function Get-LeftCgroup {
        param($Since)
        $until = ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000 + 1).ToString('0.000', [cultureinfo]::InvariantCulture)
        $created = docker events --since $Since --until $until --filter type=container --filter event=create --format '{{.Actor.ID}}'
        $created.ExitCode | Should -Be 0
        foreach ($id in $created.StdOut -split "`n" | Where-Object { $_ }) {
            Get-ChildItem "/sys/fs/cgroup/*/dockps/$id", "/sys/fs/cgroup/unified/dockps/$id" -Directory -ErrorAction Ignore | ForEach-Object FullName
        }
    }

    function Assert-NoTrace {
        param($Before)
        $after = Get-ContainerTrace
        $after.Mounts | Should -Be $Before.Mounts
        $after.Monitors | Should -Be $Before.Monitors
        $after.Folders | Should -Be $Before.Folders
        $after.RuntimeDirs | Should -Be $Before.RuntimeDirs
        @(Get-LeftCgroup $Before.Since) | Should -BeNullOrEmpty
    }
}

AfterAll {
    Remove-TestDaemon $t
    Restore-DockHost $savedHost
}

Describe 'docker run' {
    It 'prints the output of a one-shot container and removes it with --rm' {
        $before = Get-ContainerTrace
        $r = docker run --rm busybox echo hi
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Be "hi`n"
        Assert-NoTrace $before
        (docker ps -a -q).StdOut | Should -BeNullOrEmpty
    }

    It 'returns the exit code of the container' {
        $r = docker run --name exit3 busybox sh -c 'exit 3'
        $r.ExitCode | Should -Be 3
        (docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' exit3).StdOut.Trim() | Should -Be 'exited 3'
        (docker rm exit3).ExitCode | Should -Be 0
    }

    It 'keeps stdout and stderr apart' {
        $r = docker run --rm busybox sh -c 'echo out; echo err >&2'
        $r.StdOut | Should -Be "out`n"
        $r.StdErr | Should -Be "err`n"
    }

    It 'passes stdin with -i' {
        $in = Join-Path $t.Dir 'stdin.txt'
        Set-Content $in "one`ntwo" -NoNewline
        $r = Invoke-DockerCli -ConfigDir $config -Arguments '-H', $t.Address, 'run', '-i', '--rm', 'busybox', 'wc', '-l' -StdIn $in
        $r.StdOut.Trim() | Should -Be '1'
    }

    It 'runs a detached container whose logs, exec and stop work' {
        $r = docker run -d --name ticker busybox sh -c 'trap "exit 0" TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $id = $r.StdOut.Trim()
        $id | Should -Match '^[0-9a-f]{64}$'
        $null = Wait-DockCondition -TimeoutSeconds 10 -Condition { (docker logs ticker).StdOut -match 'line 3' }

        # logs -f streams new lines: it is stopped from outside once it has shown enough.
        $follow = Start-ThreadJob -ArgumentList $config, $t.Address {
            param($config, $address)
            Import-Module (Join-Path $using:PSScriptRoot 'TestHelpers.psm1')
            Invoke-DockerCli -ConfigDir $config -Arguments '-H', $address, 'logs', '-f', '--tail', '2', 'ticker' -TimeoutSeconds 60
        }
        Start-Sleep -Milliseconds 800
        $exec = docker exec ticker sh -c 'echo from-exec; exit 4'
        $exec.StdOut | Should -Be "from-exec`n" -Because "exit $($exec.ExitCode), stderr: $($exec.StdErr)"
        $exec.ExitCode | Should -Be 4
        # A command that is not there: Docker's code and the runtime's message, said once.
        $missing = docker exec ticker no-such-exec-command
        $missing.ExitCode | Should -Be 127
        @($missing.StdErr -split "`n" | Where-Object { $_ -match 'no-such-exec-command.*not found' }).Count | Should -Be 1 -Because $missing.StdErr

        $stop = docker stop ticker
        $stop.ExitCode | Should -Be 0
        $logs = $follow | Wait-Job -Timeout 30 | Receive-Job
        $follow | Remove-Job -Force
        $lines = @($logs.StdOut -split "`n" | Where-Object { $_ })
        $lines.Count | Should -BeGreaterThan 4 -Because 'logs -f followed the container until it stopped'
        $numbers = $lines | ForEach-Object { [int]($_ -replace 'line ') }
        for ($i = 1; $i -lt $numbers.Count; $i++) { $numbers[$i] | Should -Be ($numbers[$i - 1] + 1) }

        (docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' ticker).StdOut.Trim() | Should -Be 'exited 0'
        (docker rm ticker).ExitCode | Should -Be 0
        (docker inspect ticker).ExitCode | Should -Not -Be 0
    }

    It 'gives a usable interactive shell with -it' {
        $script = Join-Path $t.Dir 'drive_shell.py'
        Set-Content $script @'
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp("docker", ["docker", "-H", sys.argv[1], "run", "-it", "--rm", "busybox", "sh"])
out = b""
def read_until(token, timeout=20):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: break
    return token in out
read_until(b"# ")
os.write(fd, b"echo $((6*7)); tty; stty size\r")
ok = read_until(b"/dev/pts/0")
os.write(fd, b"exit 7\r")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.stdout.write("\nEXIT=%d\n" % os.waitstatus_to_exitcode(status))
'@
        $env:DOCKER_CONFIG = $config
        try { $out = & python3 $script $t.Address 2>&1 | Out-String }
        finally { Remove-Item Env:DOCKER_CONFIG }
        $out | Should -Match '(?m)^42\r?$'
        $out | Should -Match '/dev/pts/0'
        $out | Should -Match 'EXIT=7'
    }

    It 'sizes the terminal before the first output with -t (HostConfig.ConsoleSize)' {
        # stty runs at once: only a size the runtime set before the process ran can be in its
        # output (the CLI's own resize comes after the start).
        $script = Join-Path $t.Dir 'sized_tty.py'
        Set-Content $script @'
import fcntl, os, pty, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
    os.execvp("docker", ["docker", "-H", sys.argv[1], "run", "-t", "--rm", "busybox", "stty", "size"])
out = b""
while True:
    try: chunk = os.read(fd, 4096)
    except OSError: break
    if not chunk: break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
'@
        $env:DOCKER_CONFIG = $config
        try { $out = & python3 $script $t.Address 2>&1 | Out-String }
        finally { Remove-Item Env:DOCKER_CONFIG }
        $out | Should -Match '(?m)^33 111\r?$'
    }
}

Describe 'docker volume' {
    It 'creates, lists, inspects and removes a volume' {
        (docker volume create cli-vol).StdOut.Trim() | Should -Be 'cli-vol'
        (docker volume ls -q).StdOut | Should -Match '(?m)^cli-vol$'
        $inspect = (docker volume inspect cli-vol).StdOut | ConvertFrom-Json
        $inspect[0].Driver | Should -Be 'local'
        $inspect[0].Mountpoint | Should -BeLike "$($t.DataRoot)/volumes/cli-vol/_data"
        (docker volume rm cli-vol).ExitCode | Should -Be 0
        (docker volume ls -q).StdOut | Should -Not -Match 'cli-vol'
    }

    It 'keeps data written to a named volume after the container is removed' {
        (docker run --rm -v keep:/data busybox sh -c 'echo kept > /data/file').ExitCode | Should -Be 0
        (docker run --rm -v keep:/data busybox cat /data/file).StdOut | Should -Be "kept`n"
        (docker volume rm keep).ExitCode | Should -Be 0
    }

    It 'refuses to remove a volume a container uses' {
        (docker create --name holder -v held:/data busybox true).ExitCode | Should -Be 0
        $r = docker volume rm held
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'volume is in use'
        (docker rm holder).ExitCode | Should -Be 0
        (docker volume rm held).ExitCode | Should -Be 0
    }

    It 'fills a new volume from the image and removes anonymous volumes with rm -v' {
        $r = docker run --name anon -v /etc busybox ls /etc/passwd
        $r.StdOut.Trim() | Should -Be '/etc/passwd' -Because 'the volume was filled from the image''s /etc'
        $name = ((docker inspect anon).StdOut | ConvertFrom-Json)[0].Mounts[0].Name
        $name | Should -Match '^[0-9a-f]{64}$'
        (docker rm -v anon).ExitCode | Should -Be 0
        (docker volume ls -q).StdOut | Should -Not -Match $name
    }
}

Describe 'python docker (Debian python3-docker)' {
    It 'runs a container, reads its logs and removes it' {
        $script = @'
import docker, sys
client = docker.DockerClient(base_url=sys.argv[1], version="auto")
c = client.containers.run("busybox", ["sh", "-c", "echo py-hello; exit 2"], detach=True, name="py-run")
result = c.wait()
print("status", result["StatusCode"])
print("logs", c.logs().decode().strip())
c.remove()
print("left", len(client.containers.list(all=True, filters={"name": "py-run"})))
'@
        $out = & /usr/bin/python3 -c $script $t.Address 2>&1 | Out-String
        $out | Should -Match 'status 2'
        $out | Should -Match 'logs py-hello'
        $out | Should -Match 'left 0'
    }
}

Describe 'isolation' {
    BeforeAll {
        $r = docker run --rm --hostname boxy busybox sh -c 'echo pid=$$; hostname; ps -o pid,comm; cat /proc/self/mountinfo; grep ^Cap /proc/self/status; ls /proc | grep -c "^[0-9]"'
        $out = $r.StdOut
    }

    It 'runs the command as PID 1' { $out | Should -Match '(?m)^pid=1$' }
    It 'has its own hostname' { $out | Should -Match '(?m)^boxy$' }
    It 'sees none of the host''s processes' {
        $out | Should -Not -Match 'dockpsd|dockps-shim|pwsh'
        [int](($out -split "`n" | Where-Object { $_ } | Select-Object -Last 1)) | Should -BeLessThan 5
    }
    It 'has its own mount table with its overlay as root and no host paths' {
        $out | Should -Match '(?m) / / [^\n]* - overlay overlay '
        $out | Should -Not -Match ([regex]::Escape($t.Dir) + '/[^ ]* /(?!etc/(hostname|hosts|resolv\.conf))')
    }
    It 'holds Docker''s default capability set' {
        # CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
        $out | Should -Match '(?m)^CapEff:\s+00000000a80425fb$'
        $out | Should -Match '(?m)^CapBnd:\s+00000000a80425fb$'
    }
    It 'cannot see files outside its root' {
        $r = docker run --rm busybox sh -c "ls $($t.Dir) 2>&1; ls /proc/1/root/$($t.Dir) 2>&1; echo done"
        $r.StdOut | Should -Match 'No such file or directory'
        $r.StdOut | Should -Not -Match 'busybox\.tar'
    }
    It 'masks kernel paths and keeps /proc/sys read-only' {
        $r = docker run --rm busybox sh -c 'cat /proc/kcore | wc -c; echo 1 > /proc/sys/kernel/domainname 2>&1 || echo ro'
        $r.StdOut | Should -Match '(?m)^0$'
        $r.StdOut | Should -Match 'ro|Read-only'
    }
    It 'blocks mount(2) through the seccomp filter and capabilities' {
        $r = docker run --rm busybox sh -c 'mount -t tmpfs none /mnt 2>&1; echo rc=$?'
        $r.StdOut | Should -Match 'rc=[1-9]'
    }
    It 'confines later containers with the seccomp filter compiled at an earlier start' {
        # unshare(2) of a user namespace needs no capability; Docker's profile refuses it.
        $probe = 'unshare -U true 2>/dev/null; echo rc=$?; grep ^Seccomp: /proc/self/status'
        (docker run -d --name seccomp-first busybox sleep 60).ExitCode | Should -Be 0
        $id = (docker run -d --name seccomp-second busybox sleep 60).StdOut.Trim()
        $bundle = Get-Content (Join-Path $t.ExecRoot "c/$($id.Substring(0, 16))/config.json") -Raw | ConvertFrom-Json
        $bundle.annotations.'run.oci.seccomp_bpf_data' | Should -Not -BeNullOrEmpty -Because 'the second start takes the first one''s program'
        $r = docker exec seccomp-second sh -c $probe
        $r.StdOut | Should -Match '(?m)^rc=[1-9]'
        $r.StdOut | Should -Match '(?m)^Seccomp:\s+2$'
        $r = docker run --rm --security-opt seccomp=unconfined busybox sh -c $probe
        $r.StdOut | Should -Match '(?m)^rc=0$' -Because 'without the filter the same call succeeds here'
        $r.StdOut | Should -Match '(?m)^Seccomp:\s+0$'
        (docker rm -f seccomp-first seccomp-second).ExitCode | Should -Be 0
    }
    It 'gives more with --cap-add and less with --cap-drop' {
        $r = docker run --rm --cap-add SYS_ADMIN --cap-drop NET_RAW busybox grep ^CapEff /proc/self/status
        $r.StdOut | Should -Match 'CapEff:\s+00000000a82405fb'
    }
    It 'runs as the user it is told, resolved in the image' {
        (docker run --rm --user nobody busybox id).StdOut | Should -Match 'uid=65534\(nobody\)'
        (docker run --rm --user 1234:5678 busybox id).StdOut | Should -Match 'uid=1234 gid=5678'
    }
    It 'creates a missing working directory' {
        (docker run --rm -w /made/here busybox pwd).StdOut.Trim() | Should -Be '/made/here'
    }
    It 'merges environment over the image''s and sets HOSTNAME and HOME' {
        $r = docker run --rm -e A=1 --hostname envbox busybox env
        $r.StdOut | Should -Match '(?m)^A=1$'
        $r.StdOut | Should -Match '(?m)^HOSTNAME=envbox$'
        $r.StdOut | Should -Match '(?m)^HOME=/root$'
        $r.StdOut | Should -Match '(?m)^PATH=/usr/local/sbin:'
    }
    It 'runs with runc when asked' {
        $r = docker run --rm --runtime runc busybox echo from-runc
        $r.StdOut | Should -Be "from-runc`n" -Because $r.StdErr
    }
}

Describe 'bad input' {
    It 'refuses an unknown image with 404 and leaves nothing' {
        $before = Get-ContainerTrace
        $r = docker create --pull never no-such-image:1
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'No such image: no-such-image:1'
        Assert-NoTrace $before
    }

    It 'refuses a duplicate name' {
        (docker create --name twin busybox true).ExitCode | Should -Be 0
        $before = Get-ContainerTrace
        $r = docker create --name twin busybox true
        $r.StdErr | Should -Match 'Conflict\. The container name "/twin" is already in use'
        Assert-NoTrace $before
        (docker rm twin).ExitCode | Should -Be 0
    }

    It 'refuses an invalid name' {
        $before = Get-ContainerTrace
        $r = docker create --name 'bad/name' busybox true
        $r.StdErr | Should -Match 'Invalid container name \(bad/name\)'
        Assert-NoTrace $before
    }

    It 'refuses a bind mount whose source is missing' {
        $before = Get-ContainerTrace
        $r = docker run --rm --mount "type=bind,source=$($t.Dir)/missing,target=/x" busybox true
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'bind source path does not exist'
        Assert-NoTrace $before
    }

    It 'refuses a volume name with ../' {
        $before = Get-ContainerTrace
        # (The CLI turns "-v ../x:/c" into a bind of a host path; --mount passes the name as given.)
        $r = docker run --rm --mount 'type=volume,source=../x,target=/data' busybox true
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'includes invalid characters for a local volume name'
        $r = docker volume create '../x'
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'includes invalid characters for a local volume name'
        Assert-NoTrace $before
        (docker volume ls -q).StdOut | Should -Not -Match '\.\.'
    }

    It 'refuses exec into a stopped container' {
        (docker create --name idle busybox true).ExitCode | Should -Be 0
        $r = docker exec idle true
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'is not running'
        (docker rm idle).ExitCode | Should -Be 0
    }

    It 'refuses to remove a running container without force, and removes it with -f' {
        $since = (Get-ContainerTrace).Since
        (docker run -d --name busy busybox sleep 300).ExitCode | Should -Be 0
        @(Get-LeftCgroup $since) | Should -Not -BeNullOrEmpty -Because 'a running container has its cgroups (this proves the leak check sees them)'
        $r = docker rm busy
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'container is running: stop the container before removing or force remove'
        $before = Get-ContainerTrace
        (docker rm -f busy).ExitCode | Should -Be 0
        $after = Get-ContainerTrace
        $after.Monitors.Count | Should -BeLessThan ($before.Monitors.Count + 0) -Because 'its monitor ended'
        $after.Mounts.Count | Should -BeLessThan $before.Mounts.Count
        @(Get-LeftCgroup $since) | Should -BeNullOrEmpty
    }

    It 'reports a command that is not in the image with 127, and cleans up' {
        $before = Get-ContainerTrace
        $r = docker run --name nocmd busybox no-such-command
        $r.ExitCode | Should -Be 127
        $r.StdErr | Should -Match 'no-such-command'
        (docker inspect -f '{{.State.ExitCode}}' nocmd).StdOut.Trim() | Should -Be '127'
        (docker rm nocmd).ExitCode | Should -Be 0
        Assert-NoTrace $before
    }

    It 'removes a --rm container whose start failed, and the CLI returns (it waits for the removal)' {
        $before = Get-ContainerTrace
        $r = docker run --rm --name nocmd-rm busybox no-such-command
        $r.ExitCode | Should -Be 127
        $r.StdErr | Should -Match 'no-such-command'
        $r.StdErr | Should -Not -Match 'Error waiting' -Because 'as from dockerd, the removal''s waiters hear the exit code, not the start''s error again'
        (docker inspect nocmd-rm).ExitCode | Should -Not -Be 0 -Because 'it was removed'
        Assert-NoTrace $before
    }
}

Describe 'images that containers use' {
    BeforeAll {
        # An image of its own (the label makes its ID differ from busybox's), so its last tag can go.
        $null = Import-Image $tarball held:1 -Change 'LABEL held=1' -HostAddress $t.Address
        $heldId = (docker image inspect -f '{{.Id}}' held:1).StdOut.Trim()
        $short = $heldId.Substring(7, 12)
    }

    It 'refuses to remove the image or its last tag while a container uses it, as dockerd does' {
        (docker create --name holder held:1 sleep 300).ExitCode | Should -Be 0
        $r = docker rmi held:1
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'conflict: unable to remove repository reference "held:1" \(must force\) - container [0-9a-f]{12} is using its referenced image'
        $r = docker rmi $heldId
        $r.StdErr | Should -Match "conflict: unable to delete $short \(must be forced\) - image is being used by stopped container"
        (docker image prune -a -f --filter label=held=1).ExitCode | Should -Be 0
        (docker image inspect held:1).ExitCode | Should -Be 0 -Because 'prune skips an image a container uses'

        (docker start holder).ExitCode | Should -Be 0
        $r = docker rmi -f $heldId
        $r.StdErr | Should -Match "conflict: unable to delete $short \(cannot be forced\) - image is being used by running container"
        (docker image inspect held:1).ExitCode | Should -Be 0
    }

    It 'untags it by force, keeps it dangling while used, and prunes it after' {
        $r = docker rmi -f held:1
        $r.ExitCode | Should -Be 0
        $r.StdOut | Should -Match 'Untagged: held:1'
        $r.StdOut | Should -Not -Match 'Deleted:'
        (docker image ls -q --no-trunc --filter dangling=true).StdOut | Should -Match $heldId
        (docker exec holder true).ExitCode | Should -Be 0 -Because 'the container still runs on its layers'
        (docker rm -f holder).ExitCode | Should -Be 0
        (docker image prune -f --filter label=held=1).StdOut | Should -Match "deleted: $heldId"
        (docker image inspect $heldId).ExitCode | Should -Not -Be 0
    }
}

Describe 'a container outlives its daemon' {
    BeforeAll {
        $d = Start-TestDaemonProcess
        $arguments = @('-H', $d.Address, '--data-root', $d.DataRoot, '--exec-root', $d.ExecRoot, '--pidfile', $d.PidFile)
        $tar = (New-BusyboxTarball -Path (Join-Path $d.Dir 'busybox.tar')).FullName
        $null = Import-Image $tar busybox:latest -HostAddress $d.Address
        function dockerd2 { Invoke-DockerCli -ConfigDir $config -Arguments (@('-H', $d.Address) + @($args | ForEach-Object { "$_" })) }
        # The daemon again, on the same roots; each run logs to files of its own.
        function Start-DaemonAgain([string] $Run) {
            $d.Process.Dispose()
            $d.Process = Start-Process -FilePath (Get-DockpsdPath) -ArgumentList $arguments -RedirectStandardError "$($d.LogPath).$Run" `
                -RedirectStandardOutput "$($d.Dir)/dockpsd.out$Run" -PassThru
            Wait-DockCondition -TimeoutSeconds 30 -Condition { Test-DockAnswers $d.Address } | Should -BeTrue
        }
    }
    AfterAll { Remove-TestDaemon $d }

    It 'keeps running, logging and answering while the daemon is down, and is recorded when it ends' {
        (dockerd2 run -d --name survivor busybox sh -c 'trap "exit 9" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done').ExitCode | Should -Be 0
        $pid1 = [int](dockerd2 inspect -f '{{.State.Pid}}' survivor).StdOut.Trim()
        Stop-DockDaemon -PidFile $d.PidFile -TimeoutSeconds 20 -Confirm:$false
        Test-ProcessAlive $pid1 | Should -BeTrue -Because 'the container does not depend on dockpsd'
        $lines = (Get-Content (Get-ChildItem "$($d.DataRoot)/containers/*/*-json.log").FullName).Count
        Start-Sleep -Milliseconds 500
        (Get-Content (Get-ChildItem "$($d.DataRoot)/containers/*/*-json.log").FullName).Count | Should -BeGreaterThan $lines -Because 'its monitor keeps logging'

        Start-DaemonAgain 2
        (dockerd2 inspect -f '{{.State.Status}} {{.State.Pid}}' survivor).StdOut.Trim() | Should -Be "running $pid1"
        (dockerd2 exec survivor echo still-here).StdOut | Should -Be "still-here`n"
        (dockerd2 stop survivor).ExitCode | Should -Be 0
        (dockerd2 inspect -f '{{.State.Status}} {{.State.ExitCode}}' survivor).StdOut.Trim() | Should -Be 'exited 9'
        (dockerd2 logs --tail 1 survivor).StdOut | Should -Match '^tick \d+'
    }

    It 'records an exit that happened while the daemon was down' {
        (dockerd2 run -d --name brief busybox sh -c 'sleep 1; exit 6').ExitCode | Should -Be 0
        Stop-DockDaemon -PidFile $d.PidFile -TimeoutSeconds 20 -Confirm:$false
        Start-Sleep -Seconds 2
        @(Get-MountUnder "$($d.DataRoot)/containers") | Should -HaveCount 1 -Because 'only the root of the stopped daemon''s container is mounted'
        Start-DaemonAgain 3
        (dockerd2 inspect -f '{{.State.Status}} {{.State.ExitCode}}' brief).StdOut.Trim() | Should -Be 'exited 6'
        @(Get-MountUnder "$($d.DataRoot)/containers") | Should -HaveCount 0
    }

    It 'ends a container whose monitor was killed, records it as exited (255), and leaves no cgroup' {
        (dockerd2 run -d --name orphan busybox sleep 600).ExitCode | Should -Be 0
        $id = (dockerd2 inspect -f '{{.Id}}' orphan).StdOut.Trim()
        $pid1 = [int](dockerd2 inspect -f '{{.State.Pid}}' orphan).StdOut.Trim()
        Stop-DockDaemon -PidFile $d.PidFile -TimeoutSeconds 20 -Confirm:$false
        $monitor = @(Get-ContainerMonitorId -Under $d.Dir)
        $monitor | Should -HaveCount 1
        & /bin/kill -s KILL $monitor[0]
        Wait-DockCondition -TimeoutSeconds 10 -Condition { -not (Test-ProcessAlive $monitor[0]) } | Should -BeTrue
        Test-ProcessAlive $pid1 | Should -BeTrue -Because 'the process outlives its killed monitor until the daemon comes back'
        @(Get-ChildItem "/sys/fs/cgroup/*/dockps/$id" -Directory -ErrorAction Ignore) | Should -Not -BeNullOrEmpty

        Start-DaemonAgain 4
        (dockerd2 inspect -f '{{.State.Status}} {{.State.ExitCode}}' orphan).StdOut.Trim() | Should -Be 'exited 255'
        Wait-DockCondition -TimeoutSeconds 10 -Condition { -not (Test-ProcessAlive $pid1) } | Should -BeTrue
        @(Get-ChildItem "/sys/fs/cgroup/*/dockps/$id" -Directory -ErrorAction Ignore) | Should -BeNullOrEmpty
        @(Get-MountUnder "$($d.DataRoot)/containers") | Should -HaveCount 0
        (dockerd2 rm orphan).ExitCode | Should -Be 0
    }

    It 'drops a container whose removal a crash cut short: its folder gone, its record left' {
        # A remove renames the folder away first and does not force the record's deletion to the
        # disk; a power loss in between is this state.
        $id = (dockerd2 create --name halfgone busybox true).StdOut.Trim()
        Stop-DockDaemon -PidFile $d.PidFile -TimeoutSeconds 20 -Confirm:$false
        $null = New-Item -ItemType Directory -Force "$($d.DataRoot)/containers/.removing"
        Move-Item "$($d.DataRoot)/containers/$id" "$($d.DataRoot)/containers/.removing/$id"
        Start-DaemonAgain 5
        (dockerd2 ps -a --filter name=halfgone --format '{{.ID}}').StdOut | Should -BeNullOrEmpty
        (dockerd2 create --name halfgone busybox true).ExitCode | Should -Be 0 -Because 'the name is free again'
        Wait-DockCondition -TimeoutSeconds 10 -Condition { -not (Test-Path "$($d.DataRoot)/containers/.removing/$id") } | Should -BeTrue
        (dockerd2 rm halfgone).ExitCode | Should -Be 0
    }
}
