namespace DockPS.Engine;

/// <summary>Where the engine keeps its state and how it describes itself.</summary>
public sealed record EngineOptions
{
    /// <summary>The default persistent state folder, as dockerd's /var/lib/docker.</summary>
    public const string DefaultDataRoot = "/var/lib/dockps";

    /// <summary>The default runtime state folder (sockets, pid files), as dockerd's /var/run/docker.</summary>
    public const string DefaultExecRoot = "/run/dockps";

    /// <summary>Persistent state: metadata database, blobs, layers, volumes.</summary>
    public string DataRoot { get; init; } = DefaultDataRoot;

    /// <summary>Runtime state that does not survive a reboot.</summary>
    public string ExecRoot { get; init; } = DefaultExecRoot;

    /// <summary>Daemon labels (<c>key=value</c>), shown by <c>docker info</c>.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Whether the daemon runs in debug mode.</summary>
    public bool Debug { get; init; }

    /// <summary>The OCI runtime containers use when they name none; null lets the engine choose.</summary>
    public string? DefaultRuntime { get; init; }

    /// <summary>Extra OCI runtimes by name.</summary>
    public IReadOnlyDictionary<string, string> Runtimes { get; init; } = new Dictionary<string, string>();

    /// <summary>The container monitor executable; by default <c>dockps-shim</c> beside the daemon.</summary>
    public string ShimPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "dockps-shim");
}
