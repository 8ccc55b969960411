using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>The C# side's own rules: the shim's command line, exit lines, and what counts as a live shim.</summary>
public sealed class ShimOptionsTests
{
    [Fact]
    public void TheCommandLineFollowsTheProtocol()
    {
        var options = new ShimOptions
        {
            RuntimePath = "/usr/bin/crun",
            RuntimeArgs = ["--root", "/run/x", "--log-format", "json"],
            Id = "abc",
            BundleDirectory = "/b",
            StateDirectory = "/s",
            Tty = true,
            Stdin = true,
            StdinOnce = true,
            LogPath = "/l.log",
            LogMaxSize = 1000,
            LogMaxFiles = 3,
            OomFile = "/sys/fs/cgroup/memory/abc/memory.oom_control",
            ExecProcessPath = "/p.json",
            SealedRuntime = true,
        };
        Assert.Equal(
            ["--runtime", "/usr/bin/crun", "--runtime-arg", "--root", "--runtime-arg", "/run/x", "--runtime-arg", "--log-format",
             "--runtime-arg", "json", "--id", "abc", "--bundle", "/b", "--state", "/s", "--tty", "--stdin", "--stdin-once", "--sealed-runtime",
             "--log", "/l.log", "--log-max-size", "1000", "--log-max-files", "3",
             "--oom-file", "/sys/fs/cgroup/memory/abc/memory.oom_control", "--exec", "/p.json"],
            options.ToArguments());
        Assert.Equal(
            ["--runtime", "runc", "--id", "abc", "--bundle", "/b", "--state", "/s"],
            (options with { RuntimePath = "runc", RuntimeArgs = [], SealedRuntime = false, Tty = false, Stdin = false, StdinOnce = false, LogPath = null, LogMaxSize = null, LogMaxFiles = null, OomFile = null, ExecProcessPath = null }).ToArguments());
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedBeforeAnythingRuns()
    {
        var options = new ShimOptions { RuntimePath = "crun", Id = "abc", BundleDirectory = "/b", StateDirectory = "/s" };
        Assert.Throws<ArgumentException>(() => (options with { LogMaxSize = 10 }).ToArguments());
        Assert.Throws<ArgumentException>(() => (options with { LogPath = "/l", LogMaxFiles = 2 }).ToArguments());
        Assert.Throws<ArgumentException>(() => (options with { LogPath = "/l", LogMaxSize = 0 }).ToArguments());
        Assert.Throws<ArgumentException>(() => (options with { Id = "a/b" }).ToArguments());
        Assert.Throws<ArgumentException>(() => (options with { Id = "" }).ToArguments());
    }

    [Fact]
    public void ExitLinesParseAndNonsenseIsRefused()
    {
        var exit = ShimExit.Parse("137 1700000000123456789 1\n");
        Assert.Equal(new ShimExit(137, 1700000000123456789, true), exit);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567), exit.FinishedAt);
        Assert.Throws<FormatException>(() => ShimExit.Parse("1 2"));
        Assert.Throws<FormatException>(() => ShimExit.Parse("1 2 3"));
        Assert.Throws<FormatException>(() => ShimExit.Parse("-1 2 0"));
    }

    [Fact]
    public void APidIsOnlyAliveWhenItRunsTheShimForThatId()
    {
        using var dir = new TempDir();
        Assert.Null(ShimProcess.ReadPid(dir.Path));
        Assert.Null(ShimExit.TryReadFile(dir.Path));
        // This test host is a live process, but not a dockps-shim.
        Assert.False(ShimProcess.IsAlive(Environment.ProcessId, "abc"));
        File.WriteAllText(dir[ShimProcess.PidFileName], $"{Environment.ProcessId}\n");
        Assert.Equal(Environment.ProcessId, ShimProcess.ReadPid(dir.Path));
        Assert.False(ShimProcess.IsAlive(dir.Path, "abc"));
        Assert.False(ShimProcess.IsAlive(int.MaxValue, "abc"));
    }
}
