using System.Globalization;

namespace DockPS.Engine.Runtime;

/// <summary>
/// How to start one dockps-shim: the fields of its command line, as src/dockps-shim/README.md
/// defines them. Paths should be absolute; the shim resolves relative ones against the engine's
/// working directory before it moves into <see cref="StateDirectory"/>.
/// </summary>
public sealed record ShimOptions
{
    /// <summary>The OCI runtime (crun or runc): a path, or a name looked up on PATH.</summary>
    public required string RuntimePath { get; init; }

    /// <summary>
    /// Global runtime options, placed before every subcommand (for example <c>--root DIR</c>,
    /// <c>--cgroup-manager cgroupfs</c>). Passing <c>--log FILE --log-format json</c> lets the shim
    /// report the runtime's own error message when it fails.
    /// </summary>
    public IReadOnlyList<string> RuntimeArgs { get; init; } = [];

    /// <summary>The container ID the runtime knows.</summary>
    public required string Id { get; init; }

    /// <summary>The OCI bundle (the directory holding config.json).</summary>
    public required string BundleDirectory { get; init; }

    /// <summary>
    /// The shim's own directory: shim.pid, attach.sock, pid, exit. One per container or exec
    /// process; created by <see cref="ShimLauncher"/> if missing.
    /// </summary>
    public required string StateDirectory { get; init; }

    /// <summary>The process has a terminal (the runtime hands the shim the pty master).</summary>
    public bool Tty { get; init; }

    /// <summary>The process's stdin is kept open for attach clients (otherwise /dev/null).</summary>
    public bool Stdin { get; init; }

    /// <summary>Stdin closes when the first attach client that sent stdin leaves (docker run -i).</summary>
    public bool StdinOnce { get; init; }

    /// <summary>Where the json-file log goes; null for no log.</summary>
    public string? LogPath { get; init; }

    /// <summary>Rotate the log when it reaches this many bytes; null never rotates.</summary>
    public long? LogMaxSize { get; init; }

    /// <summary>How many log files to keep, the live one included (1 truncates in place).</summary>
    public int? LogMaxFiles { get; init; }

    /// <summary>
    /// The cgroup file whose <c>oom_kill</c> count tells whether the kernel killed for memory
    /// (v1 memory.oom_control, v2 memory.events); null when unknown.
    /// </summary>
    public string? OomFile { get; init; }

    /// <summary>
    /// Execute the runtime from a sealed in-memory copy of it (<c>--sealed-runtime</c>): for crun,
    /// which otherwise makes that copy and executes itself again (<see cref="RuntimeCatalog.WantsSealedCopy"/>).
    /// </summary>
    public bool SealedRuntime { get; init; }

    /// <summary>
    /// Container mode: run the container at launch (<c>--start</c>) instead of on a start request,
    /// for a start that no attach client waits on: the process may write before anything could
    /// connect, and the request's round trip is saved.
    /// </summary>
    public bool StartAtOnce { get; init; }

    /// <summary>A process.json to run in the existing container <see cref="Id"/> (exec mode); null for the container itself.</summary>
    public string? ExecProcessPath { get; init; }

    /// <summary>The shim's command line (without the program name), in the protocol's order.</summary>
    /// <exception cref="ArgumentException">Rotation options without a log, or values out of range.</exception>
    public IReadOnlyList<string> ToArguments()
    {
        if ((LogMaxSize is not null || LogMaxFiles is not null) && LogPath is null)
        {
            throw new ArgumentException("log rotation needs a log path", nameof(LogMaxSize));
        }
        if (LogMaxFiles is not null && LogMaxSize is null) { throw new ArgumentException("--log-max-files needs a maximum size", nameof(LogMaxFiles)); }
        if (LogMaxSize <= 0 || LogMaxFiles <= 0) { throw new ArgumentException("log limits must be positive", nameof(LogMaxSize)); }
        if (Id.Length == 0 || Id.Contains('/') || Id.Contains('\n')) { throw new ArgumentException($"invalid container ID '{Id}'", nameof(Id)); }

        var args = new List<string> { "--runtime", RuntimePath };
        foreach (var arg in RuntimeArgs) { args.AddRange(["--runtime-arg", arg]); }
        args.AddRange(["--id", Id, "--bundle", BundleDirectory, "--state", StateDirectory]);
        if (Tty) { args.Add("--tty"); }
        if (Stdin) { args.Add("--stdin"); }
        if (StdinOnce) { args.Add("--stdin-once"); }
        if (StartAtOnce) { args.Add("--start"); }
        if (SealedRuntime) { args.Add("--sealed-runtime"); }
        if (LogPath is not null)
        {
            args.AddRange(["--log", LogPath]);
            if (LogMaxSize is { } size) { args.AddRange(["--log-max-size", size.ToString(CultureInfo.InvariantCulture)]); }
            if (LogMaxFiles is { } files) { args.AddRange(["--log-max-files", files.ToString(CultureInfo.InvariantCulture)]); }
        }
        if (OomFile is not null) { args.AddRange(["--oom-file", OomFile]); }
        if (ExecProcessPath is not null) { args.AddRange(["--exec", ExecProcessPath]); }
        return args;
    }
}
