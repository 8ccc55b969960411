using System.Runtime.InteropServices;

namespace DockPS.Engine.Host;

/// <summary>
/// What the host offers the engine, read from /proc, /sys and /etc rather than assumed: these
/// machines differ (hybrid cgroups, missing capabilities), and `docker info` must tell the truth.
/// </summary>
public sealed record HostFacts
{
    /// <summary>Kernel release, as <c>uname -r</c>.</summary>
    public required string KernelVersion { get; init; }

    /// <summary>Distribution name, e.g. "Debian GNU/Linux 12 (bookworm)".</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>Distribution version, e.g. "12".</summary>
    public required string OSVersion { get; init; }

    /// <summary>Machine architecture in uname's words (x86_64, aarch64).</summary>
    public required string Architecture { get; init; }

    /// <summary>Host name.</summary>
    public required string Hostname { get; init; }

    /// <summary>Logical CPUs.</summary>
    public required int CpuCount { get; init; }

    /// <summary>Physical memory in bytes.</summary>
    public required long MemoryBytes { get; init; }

    /// <summary>The cgroup layout.</summary>
    public required CgroupLayout Cgroups { get; init; }

    /// <summary>Whether the kernel offers overlayfs (listed in /proc/filesystems).</summary>
    public required bool OverlaySupported { get; init; }

    /// <summary>OCI runtimes found on PATH, by name (crun, runc) → full path.</summary>
    public required IReadOnlyDictionary<string, string> Runtimes { get; init; }

    /// <summary>Reads the facts of the machine this process runs on.</summary>
    public static HostFacts Probe(string? procRoot = null, string? etcRoot = null, string? sysRoot = null)
    {
        var proc = procRoot ?? "/proc";
        var etc = etcRoot ?? "/etc";
        var sys = sysRoot ?? "/sys";
        var osRelease = ReadKeyValues(Path.Combine(etc, "os-release"));
        return new HostFacts
        {
            KernelVersion = ReadFirstLine(Path.Combine(proc, "sys/kernel/osrelease")) ?? "unknown",
            OperatingSystem = osRelease.GetValueOrDefault("PRETTY_NAME") ?? osRelease.GetValueOrDefault("NAME") ?? "Linux",
            OSVersion = osRelease.GetValueOrDefault("VERSION_ID") ?? "",
            Architecture = UnameArchitecture(RuntimeInformation.OSArchitecture),
            Hostname = Environment.MachineName,
            CpuCount = Environment.ProcessorCount,
            MemoryBytes = ReadMemTotal(Path.Combine(proc, "meminfo")),
            Cgroups = CgroupLayout.Probe(Path.Combine(sys, "fs/cgroup"), Path.Combine(proc, "self/mountinfo")),
            OverlaySupported = File.Exists(Path.Combine(proc, "filesystems")) &&
                File.ReadLines(Path.Combine(proc, "filesystems")).Any(l => l.EndsWith("\toverlay", StringComparison.Ordinal)),
            Runtimes = FindOnPath("crun", "runc"),
        };
    }

    private static string UnameArchitecture(Architecture arch) => arch switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        System.Runtime.InteropServices.Architecture.Arm => "armv7l",
        _ => arch.ToString().ToLowerInvariant(),
    };

    private static string? ReadFirstLine(string path) =>
        File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;

    private static Dictionary<string, string> ReadKeyValues(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) { return values; }
        foreach (var line in File.ReadLines(path))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) { continue; }
            values[line[..eq]] = line[(eq + 1)..].Trim().Trim('"');
        }
        return values;
    }

    private static long ReadMemTotal(string meminfo)
    {
        if (!File.Exists(meminfo)) { return 0; }
        var line = File.ReadLines(meminfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: >= 2 } && long.TryParse(parts[1], out var kib) ? kib * 1024 : 0;
    }

    private static Dictionary<string, string> FindOnPath(params string[] names)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
        {
            var path = dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
            if (path is not null) { found[name] = path; }
        }
        return found;
    }
}

/// <summary>How cgroups are mounted: v1, v2 (unified) or hybrid (v1 controllers plus a cgroup2 mount).</summary>
/// <param name="Version">"1" or "2", as Docker reports CgroupVersion.</param>
/// <param name="Hybrid">v1 with a cgroup2 hierarchy beside it; crun refuses this while cgroup2 holds a controller.</param>
/// <param name="Driver">The cgroup driver the engine uses: "cgroupfs".</param>
public sealed record CgroupLayout(string Version, bool Hybrid, string Driver)
{
    private const string Cgroup2Magic = "cgroup2";

    /// <summary>Reads the layout from the mount table.</summary>
    public static CgroupLayout Probe(string cgroupRoot, string mountInfo)
    {
        var mounts = File.Exists(mountInfo) ? File.ReadAllLines(mountInfo) : [];
        // mountinfo: "... mountpoint ... - fstype source options"
        bool Mounted(string point, string fsType) => mounts.Any(l =>
        {
            var fields = l.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            return fields.Length > 4 && dash > 0 && dash + 1 < fields.Length && fields[4] == point && fields[dash + 1] == fsType;
        });
        if (Mounted(cgroupRoot, Cgroup2Magic)) { return new CgroupLayout("2", false, "cgroupfs"); }
        var hybrid = Mounted(Path.Combine(cgroupRoot, "unified"), Cgroup2Magic);
        return new CgroupLayout("1", hybrid, "cgroupfs");
    }
}
