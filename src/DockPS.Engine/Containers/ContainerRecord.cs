namespace DockPS.Engine.Containers;

/// <summary>A container as the engine keeps it: identity, configuration, resolved process, mounts and state.</summary>
public sealed record ContainerRecord
{
    /// <summary>64 hex digits.</summary>
    public required string Id { get; init; }
    /// <summary>Unique name, without Docker's leading slash.</summary>
    public required string Name { get; init; }
    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset Created { get; init; }
    /// <summary>The configuration as given.</summary>
    public required ContainerConfig Config { get; init; }
    /// <summary>The image's ID.</summary>
    public required string ImageId { get; init; }
    /// <summary>The executable (first word of entrypoint + command).</summary>
    public required string Path { get; init; }
    /// <summary>Its arguments.</summary>
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>The environment after merging with the image's.</summary>
    public required IReadOnlyList<string> Env { get; init; }
    /// <summary>The working directory after merging with the image's.</summary>
    public required string WorkingDir { get; init; }
    /// <summary>The user after merging with the image's.</summary>
    public required string User { get; init; }
    /// <summary>Labels after merging with the image's.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    /// <summary>The stop signal after merging with the image's.</summary>
    public required string StopSignal { get; init; }
    /// <summary>The runtime by name.</summary>
    public required string Runtime { get; init; }
    /// <summary>Volumes, binds and tmpfs mounts, resolved at create.</summary>
    public required IReadOnlyList<MountPoint> Mounts { get; init; }
    /// <summary>Host name in the container.</summary>
    public required string Hostname { get; init; }
    /// <summary>Run state.</summary>
    public ContainerState State { get; init; } = ContainerState.Created;
    /// <summary>How often the container was restarted.</summary>
    public int RestartCount { get; init; }

    /// <summary>The 12-character short ID.</summary>
    public string ShortId => Id[..12];
}

/// <summary>A container's run state, with Docker's fields.</summary>
public sealed record ContainerState
{
    /// <summary>A container that never ran.</summary>
    public static readonly ContainerState Created = new() { Status = ContainerStatus.Created };

    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public required string Status { get; init; }
    /// <summary>Whether its process runs.</summary>
    public bool Running => Status is ContainerStatus.Running or ContainerStatus.Paused;
    /// <summary>Whether the last exit was the kernel's out-of-memory kill.</summary>
    public bool OOMKilled { get; init; }
    /// <summary>Process ID of the container's init on the host (0 when not running).</summary>
    public int Pid { get; init; }
    /// <summary>Process ID of its monitor (0 when not running).</summary>
    public int MonitorPid { get; init; }
    /// <summary>The last exit code.</summary>
    public int ExitCode { get; init; }
    /// <summary>Why it failed to start, if it did.</summary>
    public string Error { get; init; } = "";
    /// <summary>Last start.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>Last exit.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>The status words Docker uses.</summary>
public static class ContainerStatus
{
    /// <summary>Made, never started.</summary>
    public const string Created = "created";
    /// <summary>Its process runs.</summary>
    public const string Running = "running";
    /// <summary>Frozen.</summary>
    public const string Paused = "paused";
    /// <summary>Being restarted.</summary>
    public const string Restarting = "restarting";
    /// <summary>Being removed.</summary>
    public const string Removing = "removing";
    /// <summary>Ran and stopped.</summary>
    public const string Exited = "exited";
    /// <summary>Could not be cleaned up.</summary>
    public const string Dead = "dead";
}

/// <summary>A mount of a container, as inspect shows it.</summary>
public sealed record MountPoint
{
    /// <summary><c>bind</c>, <c>volume</c> or <c>tmpfs</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Volume name (volumes only).</summary>
    public string? Name { get; init; }
    /// <summary>Host path (bind source or the volume's data folder).</summary>
    public string Source { get; init; } = "";
    /// <summary>Path in the container.</summary>
    public required string Destination { get; init; }
    /// <summary>Volume driver.</summary>
    public string? Driver { get; init; }
    /// <summary>Mode string as given (<c>ro</c>, <c>z</c>…).</summary>
    public string Mode { get; init; } = "";
    /// <summary>Whether writes are allowed.</summary>
    public bool RW { get; init; } = true;
    /// <summary>Bind propagation.</summary>
    public string Propagation { get; init; } = "";
    /// <summary>A volume the engine made for this container (removed with it when asked).</summary>
    public bool Anonymous { get; init; }
    /// <summary>Do not pre-fill a new volume from the image.</summary>
    public bool NoCopy { get; init; }
    /// <summary>tmpfs options (size, mode).</summary>
    public string? TmpfsOptions { get; init; }
}
