using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>
/// One test's container: a bundle over the shared busybox root, a state directory, a runtime
/// root of its own, and cleanup of all of it (the shims it started, killed by pid if still up; the
/// container, deleted by the runtime; the directory).
/// </summary>
internal sealed class ShimSandbox : IAsyncDisposable
{
    private static readonly string[] Capabilities = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"];
    private readonly ShimFixture _fixture;
    private readonly List<int> _shims = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    public ShimSandbox(ShimFixture fixture, string runtime, string? stateSubdirectory = null)
    {
        _fixture = fixture;
        Runtime = runtime;
        RuntimePath = ShimFixture.RuntimePath(runtime);
        Dir = Directory.CreateTempSubdirectory("dockps-shim-").FullName;
        Id = "shimtest-" + Guid.NewGuid().ToString("N")[..12];
        Bundle = Directory.CreateDirectory(Path.Combine(Dir, "bundle")).FullName;
        State = Directory.CreateDirectory(Path.Combine(Dir, stateSubdirectory ?? "state")).FullName;
        RuntimeRoot = Path.Combine(Dir, "runtime-root");
    }

    public string Runtime { get; }
    public string RuntimePath { get; }
    public string Dir { get; }
    public string Id { get; }
    public string Bundle { get; }
    public string State { get; }
    public string RuntimeRoot { get; }
    public string LogPath => Path.Combine(Dir, "container.log");

    /// <summary>Bounds every wait of the test, so a hang fails it instead of stalling the run.</summary>
    public CancellationToken Timeout => _timeout.Token;

    /// <summary>Writes the bundle's config.json: pid, mount, ipc, uts and network namespaces; no cgroup limits unless given.</summary>
    public void WriteConfig(string[] args, bool tty = false, JsonArray? extraMounts = null, JsonObject? resources = null, string? cgroupsPath = null)
    {
        var mounts = new JsonArray
        {
            new JsonObject { ["destination"] = "/proc", ["type"] = "proc", ["source"] = "proc" },
            new JsonObject { ["destination"] = "/dev", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("nosuid", "strictatime", "mode=755", "size=65536k") },
            new JsonObject { ["destination"] = "/dev/pts", ["type"] = "devpts", ["source"] = "devpts", ["options"] = new JsonArray("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620") },
        };
        foreach (var mount in extraMounts ?? []) { mounts.Add(mount!.DeepClone()); }
        var linux = new JsonObject
        {
            ["namespaces"] = new JsonArray(
                new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "mount" }, new JsonObject { ["type"] = "ipc" },
                new JsonObject { ["type"] = "uts" }, new JsonObject { ["type"] = "network" }),
        };
        if (resources is not null) { linux["resources"] = resources; }
        if (cgroupsPath is not null) { linux["cgroupsPath"] = cgroupsPath; }
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = ProcessJson(args, tty),
            ["root"] = new JsonObject { ["path"] = _fixture.RootFs, ["readonly"] = true },
            ["hostname"] = "shimtest",
            ["mounts"] = mounts,
            ["linux"] = linux,
        };
        File.WriteAllText(Path.Combine(Bundle, "config.json"), config.ToJsonString());
    }

    /// <summary>The OCI process object, for config.json and for an exec's process.json.</summary>
    public static JsonObject ProcessJson(string[] args, bool tty) => new()
    {
        ["terminal"] = tty,
        ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
        ["args"] = new JsonArray(args.Select(a => (JsonNode)a).ToArray()),
        ["env"] = new JsonArray("PATH=/bin", "TERM=xterm"),
        ["cwd"] = "/",
        ["capabilities"] = new JsonObject
        {
            ["bounding"] = new JsonArray(Capabilities.Select(c => (JsonNode)c).ToArray()),
            ["effective"] = new JsonArray(Capabilities.Select(c => (JsonNode)c).ToArray()),
            ["permitted"] = new JsonArray(Capabilities.Select(c => (JsonNode)c).ToArray()),
        },
        ["noNewPrivileges"] = true,
    };

    /// <summary>Options for this container, with the runtime's JSON log so failures carry its message.</summary>
    public ShimOptions Options(string? state = null) => new()
    {
        RuntimePath = RuntimePath,
        RuntimeArgs = ["--root", RuntimeRoot, "--log", Path.Combine(Dir, "runtime.log"), "--log-format", "json"],
        Id = Id,
        BundleDirectory = Bundle,
        StateDirectory = state ?? State,
    };

    public async Task<ShimStart> LaunchAsync(ShimOptions options, CancellationToken? cancellationToken = null)
    {
        try
        {
            var start = await new ShimLauncher(_fixture.ShimPath).LaunchAsync(options, cancellationToken ?? Timeout);
            _shims.Add(start.ShimPid);
            return start;
        }
        finally
        {
            // A failed launch may still have left a monitor: remember it for cleanup.
            if (ShimProcess.ReadPid(options.StateDirectory) is { } pid && !_shims.Contains(pid)) { _shims.Add(pid); }
        }
    }

    /// <summary>The runtime, on this sandbox's root (kill, state, delete: nothing that holds pipes).</summary>
    public (int Code, string Output) RunRuntime(params string[] args) => ShimFixture.Run(RuntimePath, ["--root", RuntimeRoot, .. args]);

    /// <summary>Whether the runtime still knows the container.</summary>
    public bool RuntimeKnowsContainer() => RunRuntime("state", Id).Code == 0;

    /// <summary>Every frame until the shim closes the stream, as text per stream.</summary>
    public async Task<(string Stdout, string Stderr, int Frames)> ReadAllAsync(ShimAttachStream stream)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var frames = 0;
        while (await stream.ReadFrameAsync(Timeout) is { } frame)
        {
            (frame.Stream == ShimStreamKind.Stdout ? stdout : stderr).Write(frame.Data.Span);
            frames++;
        }
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), frames);
    }

    /// <summary>Reads frames until the stdout text gathered so far contains <paramref name="text"/>.</summary>
    public async Task<string> ReadUntilAsync(ShimAttachStream stream, string text, StringBuilder? seen = null)
    {
        seen ??= new StringBuilder();
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var frame = await stream.ReadFrameAsync(Timeout) ?? throw new EndOfStreamException($"stream ended before '{text}'; got '{seen}'");
            seen.Append(Encoding.UTF8.GetString(frame.Data.Span));
        }
        return seen.ToString();
    }

    /// <summary>Writes an executable script that stands in for the runtime: <paramref name="body"/>, then the real runtime.</summary>
    public string WriteRuntimeWrapper(string body)
    {
        var wrapper = Path.Combine(Dir, "runtime-wrapper");
        File.WriteAllText(wrapper, $"#!/bin/sh\n{body}\nexec '{RuntimePath}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return wrapper;
    }

    /// <summary>Whether a process has ended (gone, or a zombie waiting for its parent).</summary>
    public static bool ProcessEnded(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (bounded by <see cref="Timeout"/>).</summary>
    public async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition()) { await Task.Delay(20, Timeout); }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in _shims.Where(pid => ShimProcess.IsAlive(pid, Id)))
        {
            try
            {
                using var shim = Process.GetProcessById(pid);
                shim.Kill();
                await shim.WaitForExitAsync(CancellationToken.None);
            }
            catch (ArgumentException)
            {
                // Exited between the check and the kill.
            }
        }
        if (Directory.Exists(RuntimeRoot)) { RunRuntime("delete", "--force", Id); }
        _timeout.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
