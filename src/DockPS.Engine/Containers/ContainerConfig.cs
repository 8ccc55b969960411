namespace DockPS.Engine.Containers;

/// <summary>
/// What a container is created from: the Engine API's <c>Config</c> and <c>HostConfig</c>, the
/// parts the engine acts on. Kept as given (unmerged with the image), so inspect can echo it.
/// </summary>
public sealed record ContainerConfig
{
    /// <summary>The image as the user named it.</summary>
    public required string Image { get; init; }
    /// <summary>Overrides the image's entrypoint; an empty list clears it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    /// <summary>Overrides the image's command.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }
    /// <summary><c>KEY=value</c> entries, merged over the image's.</summary>
    public IReadOnlyList<string>? Env { get; init; }
    /// <summary>Working directory; created when missing.</summary>
    public string? WorkingDir { get; init; }
    /// <summary><c>name</c>, <c>uid</c>, <c>uid:gid</c> or <c>name:group</c>.</summary>
    public string? User { get; init; }
    /// <summary>Host name; the first 12 characters of the ID when empty.</summary>
    public string? Hostname { get; init; }
    /// <summary>Domain name.</summary>
    public string? Domainname { get; init; }
    /// <summary>Allocate a pseudo-terminal.</summary>
    public bool Tty { get; init; }
    /// <summary>Keep stdin open.</summary>
    public bool OpenStdin { get; init; }
    /// <summary>Close stdin after the first attached client detaches.</summary>
    public bool StdinOnce { get; init; }
    /// <summary>Whether the creating client attaches stdin.</summary>
    public bool AttachStdin { get; init; }
    /// <summary>Whether the creating client attaches stdout.</summary>
    public bool AttachStdout { get; init; }
    /// <summary>Whether the creating client attaches stderr.</summary>
    public bool AttachStderr { get; init; }
    /// <summary>User metadata, merged over the image's labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Signal that stops the container (name or number); the image's or SIGTERM by default.</summary>
    public string? StopSignal { get; init; }
    /// <summary>Seconds to wait after the stop signal before SIGKILL (default 10).</summary>
    public int? StopTimeout { get; init; }
    /// <summary>Extra anonymous volume paths, as <c>Config.Volumes</c>.</summary>
    public IReadOnlyList<string>? Volumes { get; init; }
    /// <summary>Exposed ports (<c>80/tcp</c>), kept for inspect until networking lands.</summary>
    public IReadOnlyList<string>? ExposedPorts { get; init; }
    /// <summary>The host side of the configuration.</summary>
    public HostSettings Host { get; init; } = new();
}

/// <summary>The Engine API's <c>HostConfig</c>: mounts, security, resources, logging.</summary>
public sealed record HostSettings
{
    /// <summary><c>source:/dest[:options]</c> entries (bind or named volume).</summary>
    public IReadOnlyList<string>? Binds { get; init; }
    /// <summary>Structured mounts.</summary>
    public IReadOnlyList<MountRequest>? Mounts { get; init; }
    /// <summary>tmpfs mounts: destination → options.</summary>
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }
    /// <summary><c>none</c>, <c>host</c>, or a private namespace (<c>default</c>, <c>bridge</c>, empty).</summary>
    public string? NetworkMode { get; init; }
    /// <summary>Remove the container when it exits.</summary>
    public bool AutoRemove { get; init; }
    /// <summary>All capabilities and devices, no masking, no seccomp.</summary>
    public bool Privileged { get; init; }
    /// <summary>Capabilities to add (<c>NET_ADMIN</c> or <c>CAP_NET_ADMIN</c>, or <c>ALL</c>).</summary>
    public IReadOnlyList<string>? CapAdd { get; init; }
    /// <summary>Capabilities to drop.</summary>
    public IReadOnlyList<string>? CapDrop { get; init; }
    /// <summary><c>no-new-privileges</c>, <c>seccomp=unconfined</c>, …</summary>
    public IReadOnlyList<string>? SecurityOpt { get; init; }
    /// <summary>Mount the root filesystem read-only.</summary>
    public bool ReadonlyRootfs { get; init; }
    /// <summary>The terminal's size from the first byte on (with <c>Tty</c>); null leaves the runtime's default until a resize.</summary>
    public TerminalSize? ConsoleSize { get; init; }
    /// <summary>The OCI runtime by name; the daemon's default when empty.</summary>
    public string? Runtime { get; init; }
    /// <summary>Log driver and its options.</summary>
    public LogSettings? Log { get; init; }
    /// <summary>Memory limit in bytes (0: none).</summary>
    public long Memory { get; init; }
    /// <summary>Memory plus swap in bytes (-1: unlimited, 0: twice Memory).</summary>
    public long MemorySwap { get; init; }
    /// <summary>CPU quota in billionths of a CPU.</summary>
    public long NanoCpus { get; init; }
    /// <summary>Relative CPU weight.</summary>
    public long CpuShares { get; init; }
    /// <summary>Maximum processes (null or ≤ 0: unlimited).</summary>
    public long? PidsLimit { get; init; }
    /// <summary><c>host:ip</c> entries added to /etc/hosts.</summary>
    public IReadOnlyList<string>? ExtraHosts { get; init; }
    /// <summary>DNS servers for /etc/resolv.conf.</summary>
    public IReadOnlyList<string>? Dns { get; init; }
    /// <summary>DNS search domains.</summary>
    public IReadOnlyList<string>? DnsSearch { get; init; }
    /// <summary>resolv.conf options.</summary>
    public IReadOnlyList<string>? DnsOptions { get; init; }
    /// <summary>Extra groups for the process (names or IDs).</summary>
    public IReadOnlyList<string>? GroupAdd { get; init; }
    /// <summary>Size of /dev/shm in bytes (0: 64 MiB).</summary>
    public long ShmSize { get; init; }
    /// <summary>Resource limits.</summary>
    public IReadOnlyList<UlimitSetting>? Ulimits { get; init; }
    /// <summary>Namespaced kernel parameters.</summary>
    public IReadOnlyDictionary<string, string>? Sysctls { get; init; }
    /// <summary>Restart policy name (kept for inspect; restarts come with a later issue).</summary>
    public string? RestartPolicy { get; init; }
}

/// <summary>A structured mount, as <c>HostConfig.Mounts</c>.</summary>
public sealed record MountRequest
{
    /// <summary><c>bind</c>, <c>volume</c> or <c>tmpfs</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Host path (bind) or volume name (volume; empty for anonymous).</summary>
    public string? Source { get; init; }
    /// <summary>Path in the container.</summary>
    public required string Target { get; init; }
    /// <summary>Mount read-only.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>Bind propagation (<c>rprivate</c>, <c>shared</c>, …).</summary>
    public string? Propagation { get; init; }
    /// <summary>Volume: do not copy the image's content into a new volume.</summary>
    public bool NoCopy { get; init; }
    /// <summary>Volume labels when the volume is created.</summary>
    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }
    /// <summary>tmpfs size in bytes (0: unlimited).</summary>
    public long TmpfsSize { get; init; }
    /// <summary>tmpfs mode bits (0: 1777).</summary>
    public uint TmpfsMode { get; init; }
}

/// <summary>Log driver settings.</summary>
/// <param name="Type"><c>json-file</c> (the default) or <c>none</c>.</param>
/// <param name="Options"><c>max-size</c>, <c>max-file</c>.</param>
public sealed record LogSettings(string Type, IReadOnlyDictionary<string, string> Options);

/// <summary>A resource limit (<c>nofile</c>, <c>nproc</c>, …).</summary>
public sealed record UlimitSetting(string Name, long Soft, long Hard);

/// <summary>A terminal's size in rows and columns.</summary>
public sealed record TerminalSize(uint Height, uint Width);
