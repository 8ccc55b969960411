using System.Runtime.InteropServices;
using DockPS.Engine;
using DockPS.Engine.Events;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>Engine state → the Engine API's system shapes (Docker.DotNet models).</summary>
public static class SystemWire
{
    /// <summary>Go's name for the architecture, as /version's Arch reports it.</summary>
    public static string GoArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The <c>GET /version</c> body.</summary>
    public static VersionResponse Version(DockEngine engine)
    {
        var api = ApiVersions.Format(ApiVersions.Current);
        var min = ApiVersions.Format(ApiVersions.Minimum);
        var buildTime = DaemonInfo.BuildTime.ToString("yyyy-MM-ddTHH:mm:ss.000000000+00:00");
        return new VersionResponse
        {
            Platform = new PlatformInfo { Name = "DockPS Engine" },
            Components =
            [
                new ComponentVersion
                {
                    Name = "Engine",
                    Version = DaemonInfo.Version,
                    Details = new Dictionary<string, string>
                    {
                        ["ApiVersion"] = api,
                        ["MinAPIVersion"] = min,
                        ["Arch"] = GoArch,
                        ["Os"] = "linux",
                        ["KernelVersion"] = engine.Host.KernelVersion,
                        ["BuildTime"] = buildTime,
                        ["GitCommit"] = DaemonInfo.GitCommit,
                        ["GoVersion"] = RuntimeInformation.FrameworkDescription,
                        ["Experimental"] = "false",
                    },
                },
            ],
            Version = DaemonInfo.Version,
            APIVersion = api,
            MinAPIVersion = min,
            GitCommit = DaemonInfo.GitCommit,
            GoVersion = RuntimeInformation.FrameworkDescription,
            Os = "linux",
            Arch = GoArch,
            KernelVersion = engine.Host.KernelVersion,
            Experimental = false,
            BuildTime = buildTime,
        };
    }

    /// <summary>The <c>GET /info</c> body.</summary>
    public static SystemInfoResponse Info(DockEngine engine)
    {
        var host = engine.Host;
        var counts = engine.Store.CountObjects();
        var options = engine.Options;
        var catalog = engine.Runtimes;
        var runtimes = catalog.Runtimes.ToDictionary(r => r.Key, r => new RuntimeWithStatus { Path = r.Value });
        return new SystemInfoResponse
        {
            ID = engine.Id,
            Containers = counts.Containers,
            ContainersRunning = counts.ContainersRunning,
            ContainersPaused = counts.ContainersPaused,
            ContainersStopped = counts.ContainersStopped,
            Images = counts.Images,
            Driver = "overlay2",
            DriverStatus =
            [
                ["Backing Filesystem", BackingFilesystem(options.DataRoot)],
                ["Supports d_type", "true"],
                ["Native Overlay Diff", host.OverlaySupported ? "true" : "false"],
                ["userxattr", "false"],
            ],
            Plugins = new PluginsInfo
            {
                Volume = ["local"],
                Network = ["bridge", "host", "null"],
                Authorization = [],
                Log = ["json-file"],
            },
            MemoryLimit = true,
            SwapLimit = false,
            CPUCfsPeriod = true,
            CPUCfsQuota = true,
            CPUShares = true,
            CPUSet = true,
            PidsLimit = true,
            IPv4Forwarding = File.Exists("/proc/sys/net/ipv4/ip_forward") && File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim() == "1",
            Debug = options.Debug,
            NFd = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0,
            OomKillDisable = false,
            NGoroutines = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz"),
            LoggingDriver = "json-file",
            CgroupDriver = host.Cgroups.Driver,
            CgroupVersion = host.Cgroups.Version,
            NEventsListener = engine.Events.ListenerCount,
            KernelVersion = host.KernelVersion,
            OperatingSystem = host.OperatingSystem,
            OSVersion = host.OSVersion,
            OSType = "linux",
            Architecture = host.Architecture,
            IndexServerAddress = "",
            RegistryConfig = new ServiceConfig
            {
                InsecureRegistryCIDRs = ["::1/128", "127.0.0.0/8", .. engine.Images.Registries.InsecureRegistries.Where(r => r.Contains('/'))],
                IndexConfigs = engine.Images.Registries.InsecureRegistries.Where(r => !r.Contains('/'))
                    .ToDictionary(r => r, r => new IndexInfo { Name = r, Secure = false, Official = false, Mirrors = [] }),
                Mirrors = [],
            },
            NCPU = host.CpuCount,
            MemTotal = host.MemoryBytes,
            GenericResources = [],
            DockerRootDir = options.DataRoot,
            HTTPProxy = Environment.GetEnvironmentVariable("HTTP_PROXY") ?? "",
            HTTPSProxy = Environment.GetEnvironmentVariable("HTTPS_PROXY") ?? "",
            NoProxy = Environment.GetEnvironmentVariable("NO_PROXY") ?? "",
            Name = host.Hostname,
            Labels = options.Labels.ToList(),
            ExperimentalBuild = false,
            ServerVersion = DaemonInfo.Version,
            Runtimes = runtimes,
            DefaultRuntime = catalog.Default ?? "",
            Swarm = new Info { LocalNodeState = "inactive", NodeID = "", NodeAddr = "", ControlAvailable = false, Error = "" },
            LiveRestoreEnabled = false,
            Isolation = "",
            InitBinary = "",
            ContainerdCommit = new Commit { ID = "" },
            RuncCommit = new Commit { ID = "" },
            InitCommit = new Commit { ID = "" },
            SecurityOptions = ["name=seccomp,profile=builtin"],
            Warnings = Warnings(engine),
        };
    }

    private static List<string> Warnings(DockEngine engine)
    {
        var warnings = new List<string>();
        var runtimes = engine.Runtimes;
        if (runtimes.Default is null) { warnings.Add("WARNING: no OCI runtime (crun or runc) found on PATH; containers cannot run"); }
        // A note that crun runs after the hybrid-cgroup step is no warning; a fallback is.
        else if (runtimes.Degraded) { warnings.Add("WARNING: runtime " + runtimes.Default + ": " + runtimes.Note); }
        if (!File.Exists(engine.Options.ShimPath)) { warnings.Add($"WARNING: the container monitor {engine.Options.ShimPath} is missing; containers cannot run"); }
        if (!engine.Host.OverlaySupported) { warnings.Add("WARNING: the kernel does not offer overlayfs"); }
        return warnings;
    }

    private static string BackingFilesystem(string path)
    {
        try { return new DriveInfo(path).DriveFormat; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return "unknown"; }
    }

    /// <summary>An engine event as the <c>/events</c> stream sends it.</summary>
    public static Message Message(EngineEvent e) => new()
    {
        Type = e.Type,
        Action = e.Action,
        Actor = new Actor { ID = e.ActorId, Attributes = e.Attributes.ToDictionary() },
        Scope = e.Scope,
        Time = e.TimeNano / 1_000_000_000,
        TimeNano = e.TimeNano,
    };
}
