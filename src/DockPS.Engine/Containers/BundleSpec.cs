using System.Globalization;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Containers;

/// <summary>
/// Turns a container record into the OCI <c>config.json</c> its runtime runs: Docker's namespaces,
/// mounts, capabilities, masked paths, device rules and seccomp filter, then what the user asked
/// to change.
/// </summary>
public static class BundleSpec
{
    private const long DefaultShmSize = 64L * 1024 * 1024;

    /// <summary>Everything the spec needs beyond the record.</summary>
    /// <param name="Rootfs">The mounted root.</param>
    /// <param name="User">The resolved user.</param>
    /// <param name="Files">The container's files (etc files).</param>
    /// <param name="CgroupVersion">"1" or "2".</param>
    public sealed record Inputs(string Rootfs, ProcessUser User, ContainerFiles Files, string CgroupVersion);

    /// <summary>The bundle configuration of <paramref name="container"/>.</summary>
    public static OciSpec Build(ContainerRecord container, Inputs inputs)
    {
        var host = container.Config.Host;
        var hostNetwork = NetworkModes.IsHost(host.NetworkMode);
        var capabilities = Capabilities(host);
        var namespaces = new List<OciNamespace> { new("pid"), new("ipc"), new("uts"), new("mount") };
        if (!hostNetwork) { namespaces.Add(new OciNamespace("network")); }
        if (inputs.CgroupVersion == "2") { namespaces.Add(new OciNamespace("cgroup")); }

        return new OciSpec
        {
            Process = Process(container.Config.Tty, [container.Path, .. container.Args], container.Env, container.WorkingDir,
                inputs.User, capabilities, NoNewPrivileges(host), host.Ulimits) with
            {
                // The runtime sizes the terminal before the process runs: its first output fits.
                ConsoleSize = container.Config.Tty && host.ConsoleSize is { } size ? new OciConsoleSize(size.Height, size.Width) : null,
            },
            Root = new OciRoot(inputs.Rootfs, host.ReadonlyRootfs),
            Hostname = hostNetwork ? null : container.Hostname,
            Domainname = hostNetwork || string.IsNullOrEmpty(container.Config.Domainname) ? null : container.Config.Domainname,
            Mounts = Mounts(container, inputs.Files, hostNetwork),
            Linux = new OciLinux
            {
                Namespaces = namespaces,
                CgroupsPath = $"/dockps/{container.Id}",
                Resources = Resources(host),
                Sysctl = Sysctls(host),
                Seccomp = host.Privileged || Unconfined(host) ? null : SecurityDefaults.Seccomp(capabilities),
                MaskedPaths = host.Privileged ? null : SecurityDefaults.MaskedPaths,
                ReadonlyPaths = host.Privileged ? null : SecurityDefaults.ReadonlyPaths,
                RootfsPropagation = "rprivate",
            },
        };
    }

    /// <summary>The process part, shared by the container and its exec processes.</summary>
    public static OciProcess Process(bool tty, IReadOnlyList<string> args, IReadOnlyList<string> env, string cwd,
        ProcessUser user, IReadOnlyList<string> capabilities, bool noNewPrivileges, IReadOnlyList<UlimitSetting>? ulimits) => new()
        {
            Terminal = tty,
            User = new OciUser { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? user.AdditionalGids : null },
            Args = args,
            Env = env,
            Cwd = cwd,
            Capabilities = new OciCapabilities { Bounding = capabilities, Effective = capabilities, Permitted = capabilities },
            NoNewPrivileges = noNewPrivileges,
            Rlimits = ulimits is { Count: > 0 }
                ? ulimits.Select(u => new OciRlimit("RLIMIT_" + u.Name.ToUpperInvariant(), (ulong)u.Hard, (ulong)u.Soft)).ToList()
                : null,
            OomScoreAdj = 0,
        };

    /// <summary>Docker's default set with CapAdd and CapDrop applied (<c>ALL</c> allowed in both), or every capability when privileged.</summary>
    public static IReadOnlyList<string> Capabilities(HostSettings host)
    {
        if (host.Privileged) { return SecurityDefaults.AllCapabilities; }
        static string Norm(string c) => c.Equals("ALL", StringComparison.OrdinalIgnoreCase)
            ? "ALL"
            : c.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? c.ToUpperInvariant() : "CAP_" + c.ToUpperInvariant();
        var add = (host.CapAdd ?? []).Select(Norm).ToList();
        var drop = (host.CapDrop ?? []).Select(Norm).ToList();
        foreach (var cap in add.Concat(drop).Where(c => c != "ALL" && !SecurityDefaults.AllCapabilities.Contains(c)))
        {
            throw new ArgumentException($"unknown capability: \"{cap}\"");
        }
        var set = new List<string>(add.Contains("ALL") ? SecurityDefaults.AllCapabilities : SecurityDefaults.Capabilities);
        if (drop.Contains("ALL")) { set.Clear(); }
        set.RemoveAll(drop.Contains);
        foreach (var cap in add.Where(c => c != "ALL" && !set.Contains(c))) { set.Add(cap); }
        return set;
    }

    /// <summary>Whether <c>no-new-privileges</c> is asked for in SecurityOpt.</summary>
    public static bool NoNewPrivileges(HostSettings host) => (host.SecurityOpt ?? []).Any(o =>
        o is "no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true");

    private static bool Unconfined(HostSettings host) => (host.SecurityOpt ?? []).Any(o =>
        o is "seccomp=unconfined" or "seccomp:unconfined");

    private static List<OciMount> Mounts(ContainerRecord container, ContainerFiles files, bool hostNetwork)
    {
        var host = container.Config.Host;
        var shm = host.ShmSize > 0 ? host.ShmSize : DefaultShmSize;
        var sysOptions = host.Privileged ? new[] { "nosuid", "noexec", "nodev" } : ["nosuid", "noexec", "nodev", "ro"];
        var mounts = new List<OciMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            // Without a network namespace of its own, a container may not mount sysfs: it gets the host's, read-only.
            hostNetwork
                ? new() { Destination = "/sys", Type = "bind", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", host.Privileged ? "rw" : "ro"] }
                : new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = sysOptions },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["ro", "nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + shm.ToString(CultureInfo.InvariantCulture)] },
        };
        // Parents before children, so a mount inside another volume lands on top of it.
        foreach (var mount in container.Mounts.OrderBy(m => m.Destination.TrimEnd('/').Count(c => c == '/')))
        {
            mounts.RemoveAll(m => m.Destination == mount.Destination);
            mounts.Add(mount.Type == "tmpfs"
                ? new OciMount { Destination = mount.Destination, Type = "tmpfs", Source = "tmpfs", Options = TmpfsOptions(mount) }
                : new OciMount
                {
                    Destination = mount.Destination,
                    Type = "bind",
                    Source = mount.Source,
                    Options = ["rbind", mount.RW ? "rw" : "ro", string.IsNullOrEmpty(mount.Propagation) ? "rprivate" : mount.Propagation],
                });
        }
        foreach (var (destination, source) in new[]
        {
            ("/etc/resolv.conf", files.ResolvConfPathOf(container.Id)),
            ("/etc/hostname", files.HostnamePathOf(container.Id)),
            ("/etc/hosts", files.HostsPathOf(container.Id)),
        })
        {
            if (container.Mounts.Any(m => m.Destination == destination)) { continue; }
            mounts.Add(new OciMount { Destination = destination, Type = "bind", Source = source, Options = ["rbind", "rprivate"] });
        }
        return mounts;
    }

    private static List<string> TmpfsOptions(MountPoint mount)
    {
        var options = new List<string> { "nosuid", "nodev", "noexec" };
        if (!mount.RW) { options.Add("ro"); }
        options.AddRange((mount.TmpfsOptions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Where(o => !options.Contains(o)));
        if (!options.Any(o => o.StartsWith("mode=", StringComparison.Ordinal))) { options.Add("mode=1777"); }
        return options;
    }

    private static OciResources Resources(HostSettings host)
    {
        OciMemory? memory = null;
        if (host.Memory > 0)
        {
            memory = new OciMemory
            {
                Limit = host.Memory,
                Swap = host.MemorySwap switch { 0 => host.Memory * 2, < 0 => -1, _ => host.MemorySwap },
            };
        }
        OciCpu? cpu = null;
        if (host.NanoCpus > 0 || host.CpuShares > 0)
        {
            const ulong period = 100_000;
            cpu = new OciCpu
            {
                Shares = host.CpuShares > 0 ? (ulong)host.CpuShares : null,
                Quota = host.NanoCpus > 0 ? host.NanoCpus * (long)period / 1_000_000_000 : null,
                Period = host.NanoCpus > 0 ? period : null,
            };
        }
        return new OciResources
        {
            Devices = SecurityDefaults.DeviceRules(host.Privileged),
            Memory = memory,
            Cpu = cpu,
            Pids = host.PidsLimit is > 0 ? new OciPids(host.PidsLimit.Value) : null,
        };
    }

    // With a network namespace of its own, a container may bind low ports and ping unprivileged,
    // as Docker allows.
    private static Dictionary<string, string>? Sysctls(HostSettings host)
    {
        var sysctls = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!NetworkModes.IsHost(host.NetworkMode))
        {
            sysctls["net.ipv4.ip_unprivileged_port_start"] = "0";
            sysctls["net.ipv4.ping_group_range"] = "0 2147483647";
        }
        foreach (var (key, value) in host.Sysctls ?? new Dictionary<string, string>()) { sysctls[key] = value; }
        return sysctls.Count > 0 ? sysctls : null;
    }
}

/// <summary>The network modes this engine knows until networks land.</summary>
public static class NetworkModes
{
    /// <summary>The host's network namespace.</summary>
    public static bool IsHost(string? mode) => mode == "host";
    /// <summary>A namespace with loopback only.</summary>
    public static bool IsNone(string? mode) => mode == "none";

    /// <summary>Refuses a mode that names a network this engine does not have.</summary>
    /// <exception cref="KeyNotFoundException">An unknown network.</exception>
    public static string Normalize(string? mode) => mode switch
    {
        null or "" or "default" or "bridge" => "default",
        "host" or "none" => mode,
        _ => throw new KeyNotFoundException($"network {mode} not found"),
    };
}
