using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>A container's life through dockps-shim: exit codes, failures, survival, memory.</summary>
[Collection(ShimCollection.Name)]
public sealed class ShimLifecycleTests(ShimFixture fixture)
{
    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task ExitCodeReachesWaitAndTheExitFileOutlivesTheShim(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "exit 3"]);
        var launched = await box.LaunchAsync(box.Options());

        // Up and holding the stdio, with nothing run yet: the pid comes with the start.
        Assert.Null(launched.ContainerPid);
        Assert.False(launched.Started);
        Assert.False(box.RuntimeKnowsContainer());
        Assert.True(ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.False(ShimProcess.IsAlive(launched.ShimPid, "another-id"));
        Assert.Equal(launched.ShimPid, ShimProcess.ReadPid(box.State));
        var connection = launched.Connect();
        Assert.True(await connection.StartAsync(box.Timeout) > 0);

        var before = DateTimeOffset.UtcNow;
        var exit = await connection.WaitForShimExitAsync(box.Timeout);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.OomKilled);
        Assert.InRange(exit.FinishedAt, before.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        // Gone, cleaned up behind itself, and its answer still there for a restarted daemon.
        await box.WaitUntilAsync(() => !ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.False(box.RuntimeKnowsContainer());
        Assert.False(File.Exists(Path.Combine(box.State, ShimConnection.SocketName)));
        Assert.Equal(exit, ShimExit.TryReadFile(box.State));
        Assert.Equal(exit, await connection.WaitAsync(box.Timeout));
        await Assert.ThrowsAsync<ShimUnavailableException>(() => connection.StartAsync(box.Timeout));
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task StartAtOnceRunsTheContainerInOneRuntimeRunAndRefusesALaterStart(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "echo at-once; exit 4"]);
        var launched = await box.LaunchAsync(box.Options() with { StartAtOnce = true, LogPath = box.LogPath });

        Assert.True(launched.Started);
        Assert.NotNull(launched.ContainerPid);
        var connection = launched.Connect();
        var exit = await connection.WaitForShimExitAsync(box.Timeout);
        Assert.Equal(4, exit.ExitCode);
        // Its output is in the log although no client was attached, and the runtime forgot it.
        Assert.Contains("at-once", await File.ReadAllTextAsync(box.LogPath), StringComparison.Ordinal);
        await box.WaitUntilAsync(() => !ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task StartAtOnceAnswersAStartRequestWithAlreadyStarted(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var launched = await box.LaunchAsync(box.Options() with { StartAtOnce = true });
        var connection = launched.Connect();
        var refused = await Assert.ThrowsAsync<ShimRequestException>(() => connection.StartAsync(box.Timeout));
        Assert.Contains("already started", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        Assert.Equal(128 + 9, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task StartAtOnceReportsACommandThatIsNotThereAndLeavesNothing(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["no-such-command-here"]);
        var failure = await Assert.ThrowsAsync<RuntimeFailedException>(() => box.LaunchAsync(box.Options() with { StartAtOnce = true }));
        Assert.Contains("no-such-command-here", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(box.State, ShimConnection.SocketName)));
        Assert.False(File.Exists(Path.Combine(box.State, ShimProcess.PidFileName)));
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task ASignalExitIs128PlusTheSignal(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sleep", "1000"]);
        var connection = (await box.LaunchAsync(box.Options())).Connect();
        await connection.StartAsync(box.Timeout);

        // A wait given up changes nothing for the shim.
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.WaitAsync(soon.Token));
        }
        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        Assert.Equal(128 + 9, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task ACancelledLaunchKillsItsShim(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        var release = Path.Combine(box.Dir, "release-create");
        var wrapperPid = Path.Combine(box.Dir, "wrapper.pid");
        // A run that hangs until released, then fails: the shim is caught inside the runtime.
        var wrapper = box.WriteRuntimeWrapper($"""
            for a in "$@"; do
              if [ "$a" = run ]; then echo $$ > '{wrapperPid}'; while [ ! -e '{release}' ]; do sleep 0.02; done; exit 1; fi
            done
            """);
        box.WriteConfig(["true"]);
        using var cancel = new CancellationTokenSource();
        var launching = box.LaunchAsync(box.Options() with { RuntimePath = wrapper, StartAtOnce = true }, cancel.Token);
        await box.WaitUntilAsync(() => File.Exists(wrapperPid) && File.ReadAllText(wrapperPid).EndsWith('\n'));
        var shimPid = ShimProcess.ReadPid(box.State)!.Value;
        Assert.True(ShimProcess.IsAlive(shimPid, box.Id));

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => launching);
        await box.WaitUntilAsync(() => !ShimProcess.IsAlive(shimPid, box.Id));
        var hung = int.Parse(File.ReadAllText(wrapperPid).Trim(), CultureInfo.InvariantCulture);
        File.WriteAllText(release, "");
        await box.WaitUntilAsync(() => ShimSandbox.ProcessEnded(hung));
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task RuntimeFailureIsReportedWithTheRuntimesMessage(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["no-such-command-here"]);

        var launched = await box.LaunchAsync(box.Options());
        await using var attached = await launched.Connect().AttachAsync(false, true, true, box.Timeout);

        var failure = await Assert.ThrowsAsync<RuntimeFailedException>(() => launched.Connect().StartAsync(box.Timeout));
        Assert.Contains("no-such-command-here", failure.Message, StringComparison.Ordinal);
        // Nothing to monitor: the shim goes by itself, and its attach client sees the end.
        Assert.Null(await attached.ReadFrameAsync(box.Timeout));
        await box.WaitUntilAsync(() => !ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.False(File.Exists(Path.Combine(box.State, ShimConnection.SocketName)));
        Assert.False(File.Exists(Path.Combine(box.State, ShimProcess.PidFileName)));
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASealedRuntimeRunsFromASealedCopyOfItself(bool sealedRuntime)
    {
        // A shell stands in for the runtime (it is ELF too) and says what it was executed from:
        // with --sealed-runtime not its path but the sealed memory copy crun would otherwise make
        // and execute again (CVE-2019-5736).
        await using var box = new ShimSandbox(fixture, "crun");
        box.WriteConfig(["true"]);
        var report = Path.Combine(box.Dir, "exe");
        var options = box.Options() with
        {
            RuntimePath = "/bin/sh",
            RuntimeArgs = ["-c", $"readlink /proc/$$/exe > '{report}'; exit 1", "sh"],
            StartAtOnce = true,
            SealedRuntime = sealedRuntime,
        };

        await Assert.ThrowsAsync<RuntimeFailedException>(() => box.LaunchAsync(options));
        Assert.Equal(sealedRuntime, File.ReadAllText(report).StartsWith("/memfd:", StringComparison.Ordinal));
        Assert.True(RuntimeCatalog.WantsSealedCopy("/usr/bin/crun"));
        Assert.False(RuntimeCatalog.WantsSealedCopy("/usr/sbin/runc"));
    }

    [Fact]
    public async Task TheShimsOwnFailuresAreNotBlamedOnTheRuntime()
    {
        await using var box = new ShimSandbox(fixture, "crun");
        box.WriteConfig(["true"]);

        var noLogDir = await Assert.ThrowsAsync<ShimException>(() => box.LaunchAsync(box.Options() with { LogPath = Path.Combine(box.Dir, "missing", "log") }));
        Assert.StartsWith("dockps-shim: log ", noLogDir.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(box.State, ShimProcess.PidFileName)));
        var noShim = await Assert.ThrowsAsync<ShimException>(() => new ShimLauncher(Path.Combine(box.Dir, "no-shim")).LaunchAsync(box.Options(), box.Timeout));
        Assert.Contains("no-shim", noShim.Message, StringComparison.Ordinal);
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task WaitAfterTheExitIsAnsweredAtOnceWhileTheDeleteRuns(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        // A runtime whose delete waits for the test: the window between the exit and the shim's end stays open.
        var release = Path.Combine(box.Dir, "release-delete");
        var wrapper = box.WriteRuntimeWrapper($"""
            for a in "$@"; do
              if [ "$a" = delete ]; then while [ ! -e '{release}' ]; do sleep 0.02; done; fi
            done
            """);
        box.WriteConfig(["true"]);
        var launched = await box.LaunchAsync(box.Options() with { RuntimePath = wrapper });
        var connection = launched.Connect();
        await connection.StartAsync(box.Timeout);

        await box.WaitUntilAsync(() => ShimExit.TryReadFile(box.State) is not null);
        Assert.True(ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.Equal(new ShimExit(0, ShimExit.TryReadFile(box.State)!.FinishedUnixNanoseconds, false), await connection.WaitAsync(box.Timeout));
        var again = await Assert.ThrowsAsync<ShimRequestException>(() => connection.StartAsync(box.Timeout));
        Assert.Equal("already started", again.Message);
        await using (var late = await connection.AttachAsync(false, true, true, box.Timeout))
        {
            Assert.Null(await late.ReadFrameAsync(box.Timeout));
        }
        Assert.Equal("error unknown request", await RawRequestAsync(box.State, "bogus"));
        Assert.True(ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.True(box.RuntimeKnowsContainer());

        var waiting = connection.WaitForShimExitAsync(box.Timeout);
        File.WriteAllText(release, "");
        Assert.Equal(0, (await waiting).ExitCode);
        Assert.False(box.RuntimeKnowsContainer());
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task TheContainerSurvivesItsClientConnectionBeingKilled(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "while read line; do echo \"got $line\"; done"]);
        var launched = await box.LaunchAsync(box.Options() with { Stdin = true });
        var connection = launched.Connect();

        var first = await connection.AttachAsync(true, true, true, box.Timeout);
        var pid = await connection.StartAsync(box.Timeout);
        await first.WriteAsync("one\n"u8.ToArray(), box.Timeout);
        await box.ReadUntilAsync(first, "got one\n");
        // No half-close, no goodbye: the socket just goes, as when the daemon dies; and the signals
        // a stopping daemon or a terminal would send the shim are no reason to end.
        first.Dispose();
        foreach (var signal in new[] { "-TERM", "-INT", "-HUP" }) { Assert.Equal(0, ShimFixture.Run("kill", signal, launched.ShimPid.ToString(CultureInfo.InvariantCulture)).Code); }

        await Task.Delay(200, box.Timeout);
        Assert.True(ShimProcess.IsAlive(launched.ShimPid, box.Id));
        Assert.True(Directory.Exists($"/proc/{pid}"));
        await using var second = await connection.AttachAsync(true, true, true, box.Timeout);
        await second.WriteAsync("two\n"u8.ToArray(), box.Timeout);
        Assert.Equal("got two\n", await box.ReadUntilAsync(second, "got two\n"));

        // Without --stdin-once a client's half-close leaves the process's stdin open.
        second.CloseStdin();
        await using var third = await connection.AttachAsync(true, true, true, box.Timeout);
        await third.WriteAsync("three\n"u8.ToArray(), box.Timeout);
        Assert.Equal("got three\n", await box.ReadUntilAsync(third, "got three\n"));

        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        Assert.Equal(137, (await connection.WaitForShimExitAsync(box.Timeout)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnIdleShimStaysUnderTwoMegabytesResident(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "seq 1 20000; sleep 1000"]);
        var launched = await box.LaunchAsync(box.Options() with { LogPath = box.LogPath, Stdin = true });
        var connection = launched.Connect();
        Assert.InRange(ResidentKiB(launched.ShimPid), 1, 2048);

        await using var attach = await connection.AttachAsync(true, true, true, box.Timeout);
        await connection.StartAsync(box.Timeout);
        await box.ReadUntilAsync(attach, "\n20000\n");
        await box.WaitUntilAsync(() => File.ReadLines(box.LogPath).Count() == 20000);

        // Measured after output went through every buffer (log, attach, read), i.e. at its largest idle size.
        var kib = ResidentKiB(launched.ShimPid);
        Assert.InRange(kib, 1, 2048);
        Assert.Equal(0, box.RunRuntime("kill", box.Id, "KILL").Code);
        await connection.WaitForShimExitAsync(box.Timeout);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task AnOutOfMemoryKillIsReported(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        var cgroup = "/" + box.Id;
        const long limit = 16 << 20;
        box.WriteConfig(
            ["sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived"],
            resources: new JsonObject { ["memory"] = new JsonObject { ["limit"] = limit, ["swap"] = limit } },
            cgroupsPath: cgroup);
        var oomFile = Path.Combine("/sys/fs/cgroup/memory", box.Id, "memory.oom_control");
        var connection = (await box.LaunchAsync(box.Options() with { OomFile = oomFile, LogPath = box.LogPath })).Connect();
        await connection.StartAsync(box.Timeout);

        var exit = await connection.WaitForShimExitAsync(box.Timeout);
        Assert.True(exit.OomKilled);
        Assert.NotEqual(0, exit.ExitCode);
        Assert.DoesNotContain("survived", File.ReadAllText(box.LogPath), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(oomFile)));
    }

    private static int ResidentKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return int.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> RawRequestAsync(string state, string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(state, ShimConnection.SocketName)));
        await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
        var reply = new MemoryStream();
        var buffer = new byte[256];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0) { reply.Write(buffer, 0, read); }
        return Encoding.UTF8.GetString(reply.ToArray()).TrimEnd('\n');
    }
}
