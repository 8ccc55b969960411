namespace DockPS.Daemon.Tests.Hosting;

public class LifecycleTests
{
    [Fact]
    public void APidFileAndSocketExistWhileRunningAndGoOnSigint()
    {
        using var daemon = TestDaemon.Start();
        Assert.Equal(daemon.Process.Id.ToString(), File.ReadAllText(daemon.PidFile).Trim());
        daemon.Signal(TestDaemon.SIGINT);
        Assert.True(daemon.Process.WaitForExit(15_000), "dockpsd did not stop on SIGINT: " + daemon.Log);
        Assert.Equal(0, daemon.Process.ExitCode);
        Assert.False(File.Exists(daemon.Socket));
        Assert.False(File.Exists(daemon.PidFile));
    }

    [Fact]
    public void TheDaemonWatchesNoFilesInTheFolderItWasStartedFrom()
    {
        // The web host's defaults watched the working directory recursively (for appsettings.json):
        // an inotify watch per folder below it, and a thread woken by every container's writes.
        // This test runs from its bin folder, which has subfolders.
        Assert.NotEmpty(Directory.GetDirectories(Environment.CurrentDirectory));
        using var daemon = TestDaemon.Start();
        var watches = Directory.GetFiles($"/proc/{daemon.Process.Id}/fdinfo")
            .Sum(info => { try { return File.ReadLines(info).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)); } catch (IOException) { return 0; } });
        Assert.Equal(0, watches);
    }

    [Fact]
    public void ASecondDaemonOnTheSameDataRootRefusesAndLeavesNothing()
    {
        using var first = TestDaemon.Start();
        var other = Path.Combine(first.Dir, "other");
        var (code, stderr) = TestDaemon.RunToExit("-H", $"unix://{other}.sock", "--data-root", first.DataRoot, "--exec-root", other);
        Assert.Equal(1, code);
        Assert.Contains($"data root {first.DataRoot} is in use by another dockpsd (pid {first.Process.Id})", stderr);
        Assert.False(File.Exists(other + ".sock"));
        Assert.False(Directory.Exists(other));
        Assert.True(first.Answers());
    }

    [Fact]
    public void ASocketPathThatIsARegularFileIsRefusedAndKept()
    {
        var dir = TestDaemon.NewDir();
        try
        {
            var path = Path.Combine(dir, "not-a-socket");
            File.WriteAllText(path, "precious");
            var (code, stderr) = TestDaemon.RunToExit("-H", "unix://" + path, "--data-root", Path.Combine(dir, "data"), "--exec-root", Path.Combine(dir, "exec"));
            Assert.Equal(1, code);
            Assert.Contains("exists and is not a socket; refusing to replace it", stderr);
            Assert.Equal("precious", File.ReadAllText(path));
            Assert.False(Directory.Exists(Path.Combine(dir, "data")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ASecondDaemonOnALiveSocketIsRefused()
    {
        using var first = TestDaemon.Start();
        var (code, stderr) = TestDaemon.RunToExit("-H", first.Address, "--data-root", Path.Combine(first.Dir, "d2"), "--exec-root", Path.Combine(first.Dir, "e2"));
        Assert.Equal(1, code);
        Assert.Contains("another daemon is already listening", stderr);
        Assert.True(first.Answers());
    }

    [Fact]
    public void AStaleSocketFromAKilledDaemonIsReplaced()
    {
        using var first = TestDaemon.Start();
        first.Signal(TestDaemon.SIGKILL);
        first.Process.WaitForExit();
        Assert.True(File.Exists(first.Socket)); // SIGKILL leaves it behind
        var log = Path.Combine(first.Dir, "second.log");
        using var second = TestDaemon.Launch(log, ["-H", first.Address, "--data-root", first.DataRoot, "--exec-root", first.ExecRoot]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!first.Answers() && !second.HasExited && DateTime.UtcNow < deadline) { Thread.Sleep(10); }
        try
        {
            Assert.True(first.Answers(), File.ReadAllText(log));
        }
        finally
        {
            second.Kill();
            second.WaitForExit();
        }
    }

    [Theory]
    [InlineData("--bogus", "unknown flag: --bogus")]
    [InlineData("-H", "flag needs an argument: -H")]
    [InlineData("--host=tcp://0.0.0.0:2375", "only at loopback addresses")]
    [InlineData("--host=fd://", "unsupported address")]
    [InlineData("--host=unix://relative.sock", "needs an absolute path")]
    [InlineData("--log-level=loud", "invalid log level")]
    [InlineData("--label=nokey", "labels are key=value")]
    [InlineData("--config-file=/nonexistent/daemon.json", "config file /nonexistent/daemon.json not found")]
    public void BadFlagsExitWithOneClearLine(string flag, string message)
    {
        var (code, stderr) = TestDaemon.RunToExit(flag);
        Assert.Equal(1, code);
        Assert.StartsWith("dockpsd: error: ", stderr);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void VersionAndHelpPrintAndExit()
    {
        var dir = TestDaemon.NewDir();
        try
        {
            using var p = TestDaemon.Launch(Path.Combine(dir, "err"), ["--version"]);
            Assert.True(p.WaitForExit(30_000));
            Assert.Equal(0, p.ExitCode);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task ALoopbackTcpListenerServesTheApi()
    {
        var port = FreePort();
        using var daemon = TestDaemon.Start("-H", $"tcp://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal("OK", await http.GetStringAsync("/_ping"));
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
