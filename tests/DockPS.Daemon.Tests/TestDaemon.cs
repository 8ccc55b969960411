using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DockPS.Daemon.Tests;

/// <summary>
/// A real dockpsd process on a temp socket and data root, killed and cleaned up on dispose.
/// Tests talk to it over its Unix socket like any client.
/// </summary>
public sealed partial class TestDaemon : IDisposable
{
    public string Dir { get; }
    public string Socket => Path.Combine(Dir, "d.sock");
    public string DataRoot => Path.Combine(Dir, "data");
    public string ExecRoot => Path.Combine(Dir, "exec");
    public string PidFile => Path.Combine(ExecRoot, "dockpsd.pid");
    public string Address => "unix://" + Socket;
    public Process Process { get; }
    public HttpClient Http { get; }
    private readonly string _stderr;

    private TestDaemon(string dir, Process process, string stderr)
    {
        Dir = dir;
        Process = process;
        _stderr = stderr;
        Http = ClientFor(Socket);
    }

    /// <summary>Starts a daemon and waits until it answers /_ping.</summary>
    public static TestDaemon Start(params string[] extraArgs)
    {
        var dir = NewDir();
        var stderr = Path.Combine(dir, "stderr.log");
        var process = Launch(stderr, ["-H", "unix://" + Path.Combine(dir, "d.sock"), "--data-root", Path.Combine(dir, "data"),
            "--exec-root", Path.Combine(dir, "exec"), .. extraArgs]);
        var daemon = new TestDaemon(dir, process, stderr);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!daemon.Answers())
        {
            if (process.HasExited) { throw new InvalidOperationException("dockpsd exited: " + daemon.Log); }
            if (DateTime.UtcNow > deadline) { daemon.Dispose(); throw new TimeoutException("dockpsd did not answer: " + daemon.Log); }
            Thread.Sleep(10);
        }
        return daemon;
    }

    /// <summary>A fresh short temp folder (socket paths must stay under 108 bytes).</summary>
    public static string NewDir() => Directory.CreateTempSubdirectory("dps-").FullName;

    /// <summary>The dockpsd under test: $DOCKPSD (build.ps1 points it at the shipped binary), else the one built beside the tests.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("DOCKPSD") is { Length: > 0 } shipped ? shipped : Path.Combine(AppContext.BaseDirectory, "dockpsd");

    /// <summary>Starts dockpsd with <paramref name="args"/>, stderr to a file (never a pipe: the daemon outlives reads).</summary>
    public static Process Launch(string stderrPath, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null >/dev/null 2>>\"$STDERR_PATH\"");
        start.ArgumentList.Add(Executable);
        foreach (var a in args) { start.ArgumentList.Add(a); }
        start.Environment["STDERR_PATH"] = stderrPath;
        return Process.Start(start)!;
    }

    /// <summary>Runs dockpsd to completion (for starts that must fail) and returns exit code and stderr.</summary>
    public static (int ExitCode, string Stderr) RunToExit(params string[] args)
    {
        var dir = NewDir();
        try
        {
            var log = Path.Combine(dir, "stderr.log");
            using var p = Launch(log, args);
            if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException("dockpsd did not exit"); }
            return (p.ExitCode, File.ReadAllText(log));
        }
        finally { Directory.Delete(dir, true); }
    }

    public string Log => File.Exists(_stderr) ? File.ReadAllText(_stderr) : "";

    /// <summary>Asserts the image store holds no blob, snapshot or temp file (nothing of a failed operation stayed).</summary>
    public void AssertStoreEmpty(string what = "")
    {
        foreach (var dir in new[] { "blobs/sha256", "snapshots", "tmp" })
        {
            var path = Path.Combine(DataRoot, dir);
            Assert.True(!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any(), $"{what}{dir} should be empty");
        }
    }

    public bool Answers()
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(Socket));
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>An HttpClient whose every connection goes to <paramref name="socketPath"/>.</summary>
    public static HttpClient ClientFor(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://dockpsd"), Timeout = TimeSpan.FromSeconds(60) };

    public void Signal(int signal) => Kill(Process.Id, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    public void Dispose()
    {
        Http.Dispose();
        if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(); }
        Process.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
