using DockPS.Engine;

namespace DockPS.Daemon.Hosting;

/// <summary>dockpsd's settings, from dockerd-style flags and an optional JSON config file.</summary>
public sealed record DaemonOptions
{
    /// <summary>The address clients use when none is given, as dockerd's /var/run/docker.sock.</summary>
    public const string DefaultHost = "unix:///run/dockps/dockps.sock";

    /// <summary>The config file read when it exists and no --config-file is given.</summary>
    public const string DefaultConfigFile = "/etc/dockps/daemon.json";

    /// <summary>Addresses to listen on (<c>unix://path</c> or loopback <c>tcp://host:port</c>).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [DefaultHost];

    /// <summary>Persistent state folder.</summary>
    public string DataRoot { get; init; } = EngineOptions.DefaultDataRoot;

    /// <summary>Runtime state folder.</summary>
    public string ExecRoot { get; init; } = EngineOptions.DefaultExecRoot;

    /// <summary>PID file; defaults to <c>dockpsd.pid</c> in the exec root.</summary>
    public string? PidFile { get; init; }

    /// <summary>The daemon.json-style config file, reread on SIGHUP.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Debug mode (verbose logs, Debug in /info).</summary>
    public bool Debug { get; init; }

    /// <summary>Log level: debug, info, warn, error, fatal.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>Daemon labels.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Registries (host[:port] or CIDR) reached over plain HTTP, besides loopback ones.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>The OCI runtime containers use when they name none (crun when it can run here, else runc).</summary>
    public string? DefaultRuntime { get; init; }

    /// <summary>Extra OCI runtimes by name (<c>--add-runtime name=path</c>).</summary>
    public IReadOnlyDictionary<string, string> Runtimes { get; init; } = new Dictionary<string, string>();

    /// <summary>The PID file path in force.</summary>
    public string EffectivePidFile => PidFile ?? Path.Combine(ExecRoot, "dockpsd.pid");

    /// <summary>The engine's view of these settings.</summary>
    public EngineOptions ToEngineOptions() => new()
    {
        DataRoot = DataRoot,
        ExecRoot = ExecRoot,
        Labels = Labels,
        Debug = Debug,
        DefaultRuntime = DefaultRuntime,
        Runtimes = Runtimes,
    };
}
