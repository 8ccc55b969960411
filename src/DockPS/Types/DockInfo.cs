namespace DockPS.Types;

/// <summary>What a daemon reports about itself and its host (Get-DockInfo).</summary>
public sealed class DockInfo
{
    /// <summary>The daemon's host name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The daemon's stable identity (per data root).</summary>
    public string Id { get; init; } = "";

    /// <summary>Where the module reached it.</summary>
    public string HostAddress { get; init; } = "";

    /// <summary>Engine product name, from /version (DockPS Engine, Docker Engine - Community, Podman Engine).</summary>
    public string Product { get; init; } = "";

    /// <summary>Engine version.</summary>
    public string ServerVersion { get; init; } = "";

    /// <summary>Newest Engine API version the daemon serves.</summary>
    public string ApiVersion { get; init; } = "";

    /// <summary>Oldest Engine API version the daemon serves.</summary>
    public string MinApiVersion { get; init; } = "";

    /// <summary>Host operating system.</summary>
    public string OperatingSystem { get; init; } = "";

    /// <summary>Host OS version.</summary>
    public string OSVersion { get; init; } = "";

    /// <summary>linux or windows.</summary>
    public string OSType { get; init; } = "";

    /// <summary>Kernel release.</summary>
    public string KernelVersion { get; init; } = "";

    /// <summary>Machine architecture (x86_64, aarch64).</summary>
    public string Architecture { get; init; } = "";

    /// <summary>Logical CPUs.</summary>
    public long CpuCount { get; init; }

    /// <summary>Host memory in bytes.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Storage driver (overlay2).</summary>
    public string StorageDriver { get; init; } = "";

    /// <summary>Storage driver facts (backing filesystem, d_type, …).</summary>
    public IReadOnlyDictionary<string, string> StorageStatus { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the daemon keeps its state.</summary>
    public string DataRoot { get; init; } = "";

    /// <summary>cgroup version: 1 or 2.</summary>
    public string CgroupVersion { get; init; } = "";

    /// <summary>cgroup driver (cgroupfs, systemd).</summary>
    public string CgroupDriver { get; init; } = "";

    /// <summary>OCI runtimes the daemon can use.</summary>
    public string[] Runtimes { get; init; } = [];

    /// <summary>The runtime containers get when they name none.</summary>
    public string DefaultRuntime { get; init; } = "";

    /// <summary>Security features in force (seccomp, apparmor, …).</summary>
    public string[] SecurityOptions { get; init; } = [];

    /// <summary>All containers.</summary>
    public long Containers { get; init; }

    /// <summary>Running containers.</summary>
    public long ContainersRunning { get; init; }

    /// <summary>Paused containers.</summary>
    public long ContainersPaused { get; init; }

    /// <summary>Stopped containers.</summary>
    public long ContainersStopped { get; init; }

    /// <summary>Images.</summary>
    public long Images { get; init; }

    /// <summary>Volumes.</summary>
    public long Volumes { get; init; }

    /// <summary>Daemon labels.</summary>
    public string[] Labels { get; init; } = [];

    /// <summary>Whether the daemon runs in debug mode.</summary>
    public bool Debug { get; init; }

    /// <summary>The daemon's clock when it answered.</summary>
    public DateTime SystemTime { get; init; }

    /// <summary>Warnings the daemon reports about its host.</summary>
    public string[] Warnings { get; init; } = [];
}
