using System.Globalization;
using DockPS.Engine.Containers;
using Docker.DotNet.Models;
using EngineConfig = DockPS.Engine.Containers.ContainerConfig;
using EngineMount = DockPS.Engine.Containers.MountPoint;
using EngineState = DockPS.Engine.Containers.ContainerState;
using ContainerStatus = DockPS.Engine.Containers.ContainerStatus;
using WireMount = Docker.DotNet.Models.MountPoint;

namespace DockPS.Daemon.Api;

/// <summary>Containers between the Engine API's shapes and the engine's records.</summary>
public static class ContainerWire
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>The engine's configuration from a create request's body.</summary>
    public static EngineConfig ToEngine(ContainerCreateBody p)
    {
        if (string.IsNullOrEmpty(p.Image)) { throw new BadRequestException("config: image is required"); }
        var host = p.HostConfig ?? new HostConfig();
        return new EngineConfig
        {
            Image = p.Image,
            Entrypoint = p.Entrypoint?.ToList(),
            Cmd = p.Cmd?.ToList(),
            Env = p.Env?.ToList(),
            WorkingDir = p.WorkingDir,
            User = p.User,
            Hostname = p.Hostname,
            Domainname = p.Domainname,
            Tty = p.Tty,
            OpenStdin = p.OpenStdin,
            StdinOnce = p.StdinOnce,
            AttachStdin = p.AttachStdin,
            AttachStdout = p.AttachStdout,
            AttachStderr = p.AttachStderr,
            Labels = p.Labels is null ? null : new Dictionary<string, string>(p.Labels),
            StopSignal = string.IsNullOrEmpty(p.StopSignal) ? null : p.StopSignal,
            StopTimeout = p.StopTimeout,
            Volumes = p.Volumes?.Keys.ToList(),
            ExposedPorts = p.ExposedPorts?.Keys.ToList(),
            Host = new HostSettings
            {
                Binds = host.Binds?.ToList(),
                Mounts = host.Mounts?.Select(ToEngine).ToList(),
                Tmpfs = host.Tmpfs is null ? null : new Dictionary<string, string>(host.Tmpfs),
                NetworkMode = host.NetworkMode,
                AutoRemove = host.AutoRemove,
                Privileged = host.Privileged,
                CapAdd = host.CapAdd?.ToList(),
                CapDrop = host.CapDrop?.ToList(),
                SecurityOpt = host.SecurityOpt?.ToList(),
                ReadonlyRootfs = host.ReadonlyRootfs,
                ConsoleSize = host.ConsoleSize is { Height: > 0, Width: > 0 } size ? new TerminalSize(Clamp(size.Height), Clamp(size.Width)) : null,
                Runtime = host.Runtime,
                // docker --log-opt without --log-driver sends the options under an empty driver: the default one's.
                Log = host.LogConfig is { } log && (!string.IsNullOrEmpty(log.Type) || log.Config is { Count: > 0 })
                    ? new LogSettings(log.Type ?? "", new Dictionary<string, string>(log.Config ?? new Dictionary<string, string>()))
                    : null,
                Memory = host.Memory,
                MemorySwap = host.MemorySwap,
                NanoCpus = host.NanoCPUs,
                CpuShares = host.CPUShares,
                PidsLimit = host.PidsLimit,
                ExtraHosts = host.ExtraHosts?.ToList(),
                Dns = host.DNS?.ToList(),
                DnsSearch = host.DNSSearch?.ToList(),
                DnsOptions = host.DNSOptions?.ToList(),
                GroupAdd = host.GroupAdd?.ToList(),
                ShmSize = host.ShmSize,
                Ulimits = host.Ulimits?.Select(u => new UlimitSetting(u.Name, u.Soft, u.Hard)).ToList(),
                Sysctls = host.Sysctls is null ? null : new Dictionary<string, string>(host.Sysctls),
                RestartPolicy = host.RestartPolicy is { } rp ? RestartPolicyKindConverter.Name(rp.Name) : null,
            },
        };
    }

    // A terminal has at most 65535 rows and columns (the kernel's winsize fields are 16 bits).
    private static uint Clamp(ulong cells) => (uint)Math.Min(cells, ushort.MaxValue);

    private static MountRequest ToEngine(Mount m) => new()
    {
        Type = string.IsNullOrEmpty(m.Type) ? "volume" : m.Type,
        Source = m.Source,
        Target = m.Target ?? "",
        ReadOnly = m.ReadOnly ?? false,
        Propagation = m.BindOptions?.Propagation,
        NoCopy = m.VolumeOptions?.NoCopy ?? false,
        VolumeLabels = m.VolumeOptions?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
        TmpfsSize = m.TmpfsOptions?.SizeBytes ?? 0,
        TmpfsMode = m.TmpfsOptions?.Mode is { } mode ? (uint)mode : 0,
    };

    /// <summary>A container as <c>docker inspect</c> shows it.</summary>
    public static ContainerInspectResponse Inspect(ContainerRecord c, ContainerFiles files) => new()
    {
        ID = c.Id,
        Created = c.Created.UtcDateTime,
        Path = c.Path,
        Args = c.Args.ToList(),
        State = State(c.State),
        Image = c.ImageId,
        ResolvConfPath = files.ResolvConfPathOf(c.Id),
        HostnamePath = files.HostnamePathOf(c.Id),
        HostsPath = files.HostsPathOf(c.Id),
        LogPath = LogOptions.Enabled(c.Config.Host.Log) ? files.LogPathOf(c.Id) : "",
        Name = "/" + c.Name,
        RestartCount = c.RestartCount,
        Driver = "overlay2",
        Platform = "linux",
        MountLabel = "",
        ProcessLabel = "",
        AppArmorProfile = "",
        HostConfig = HostConfig(c),
        GraphDriver = new DriverData
        {
            Name = "overlay2",
            Data = new Dictionary<string, string>
            {
                ["UpperDir"] = files.UpperOf(c.Id),
                ["MergedDir"] = files.RootfsOf(c.Id),
            },
        },
        Mounts = c.Mounts.Select(Mount).ToList(),
        Config = Config(c),
        NetworkSettings = new NetworkSettings
        {
            SandboxID = "",
            SandboxKey = "",
            Ports = new Dictionary<string, IList<PortBinding>>(),
            Networks = new Dictionary<string, EndpointSettings>(),
        },
    };

    /// <summary>Docker's state object; never-set times are Go's zero time.</summary>
    public static State State(EngineState s) => new()
    {
        Status = s.Status,
        Running = s.Running,
        Paused = s.Status == ContainerStatus.Paused,
        Restarting = s.Status == ContainerStatus.Restarting,
        OOMKilled = s.OOMKilled,
        Dead = s.Status == ContainerStatus.Dead,
        Pid = s.Pid,
        ExitCode = s.ExitCode,
        Error = s.Error,
        StartedAt = Time(s.StartedAt),
        FinishedAt = Time(s.FinishedAt),
    };

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : ZeroTime;

    private static Docker.DotNet.Models.ContainerConfig Config(ContainerRecord c) => new()
    {
        Hostname = c.Hostname,
        Domainname = c.Config.Domainname ?? "",
        User = c.User,
        AttachStdin = c.Config.AttachStdin,
        AttachStdout = c.Config.AttachStdout,
        AttachStderr = c.Config.AttachStderr,
        Tty = c.Config.Tty,
        OpenStdin = c.Config.OpenStdin,
        StdinOnce = c.Config.StdinOnce,
        Env = c.Env.ToList(),
        Cmd = c.Config.Cmd?.ToList()!,
        Image = c.Config.Image,
        Volumes = c.Config.Volumes?.ToDictionary(v => v, _ => new EmptyStruct())!,
        WorkingDir = c.WorkingDir == "/" && c.Config.WorkingDir is null ? "" : c.WorkingDir,
        Entrypoint = c.Config.Entrypoint?.ToList()!,
        Labels = c.Labels.ToDictionary(),
        StopSignal = c.StopSignal,
        ExposedPorts = c.Config.ExposedPorts?.ToDictionary(p => p, _ => new EmptyStruct()),
    };

    private static HostConfig HostConfig(ContainerRecord c)
    {
        var h = c.Config.Host;
        return new HostConfig
        {
            Binds = h.Binds?.ToList()!,
            NetworkMode = h.NetworkMode ?? "default",
            AutoRemove = h.AutoRemove,
            Privileged = h.Privileged,
            CapAdd = h.CapAdd?.ToList()!,
            CapDrop = h.CapDrop?.ToList()!,
            SecurityOpt = h.SecurityOpt?.ToList()!,
            ReadonlyRootfs = h.ReadonlyRootfs,
            ConsoleSize = new ConsoleSize { Height = h.ConsoleSize?.Height ?? 0, Width = h.ConsoleSize?.Width ?? 0 },
            Runtime = c.Runtime,
            LogConfig = new LogConfig
            {
                Type = h.Log?.Type is { Length: > 0 } type ? type : LogOptions.JsonFile,
                Config = h.Log?.Options.ToDictionary() ?? new Dictionary<string, string>(),
            },
            Memory = h.Memory,
            MemorySwap = h.MemorySwap,
            NanoCPUs = h.NanoCpus,
            CPUShares = h.CpuShares,
            PidsLimit = h.PidsLimit,
            ExtraHosts = h.ExtraHosts?.ToList()!,
            DNS = h.Dns?.ToList() ?? [],
            DNSSearch = h.DnsSearch?.ToList() ?? [],
            DNSOptions = h.DnsOptions?.ToList() ?? [],
            GroupAdd = h.GroupAdd?.ToList()!,
            ShmSize = h.ShmSize > 0 ? h.ShmSize : 64L * 1024 * 1024,
            Tmpfs = h.Tmpfs?.ToDictionary(),
            Sysctls = h.Sysctls?.ToDictionary(),
            Ulimits = h.Ulimits?.Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard }).ToList()!,
            MaskedPaths = h.Privileged ? [] : Engine.Runtime.SecurityDefaults.MaskedPaths.ToList(),
            ReadonlyPaths = h.Privileged ? [] : Engine.Runtime.SecurityDefaults.ReadonlyPaths.ToList(),
            CgroupnsMode = "host",
            IpcMode = "private",
            PidMode = "",
        };
    }

    /// <summary>A mount as inspect and list show it.</summary>
    public static WireMount Mount(EngineMount m) => new()
    {
        Type = m.Type,
        Name = m.Name,
        Source = m.Source,
        Destination = m.Destination,
        Driver = m.Driver,
        Mode = m.Mode,
        RW = m.RW,
        Propagation = m.Propagation,
    };

    /// <summary>A container as <c>docker ps</c> lists it, with DockPS's two extra fields.</summary>
    public static ContainerSummary Summary(ContainerRecord c, (long Rw, long RootFs)? size) => new()
    {
        DockPSState = State(c.State),
        DockPSTty = c.Config.Tty,
        ID = c.Id,
        Names = ["/" + c.Name],
        Image = c.Config.Image,
        ImageID = c.ImageId,
        Command = CommandLine(c),
        Created = c.Created.UtcDateTime,
        Ports = [],
        SizeRw = size?.Rw,
        SizeRootFs = size?.RootFs,
        Labels = c.Labels.ToDictionary(),
        State = c.State.Status,
        Status = StatusText(c.State, DateTimeOffset.UtcNow),
        HostConfig = new SummaryHostConfig { NetworkMode = c.Config.Host.NetworkMode ?? "default" },
        NetworkSettings = new NetworkSettingsSummary { Networks = new Dictionary<string, EndpointSettings>() },
        Mounts = c.Mounts.Select(Mount).ToList(),
    };

    /// <summary>The command as one line, as <c>docker ps</c> shows it.</summary>
    public static string CommandLine(ContainerRecord c) =>
        string.Join(' ', new[] { c.Path }.Concat(c.Args).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));

    /// <summary>Docker's human status: <c>Up 5 seconds</c>, <c>Exited (0) 2 minutes ago</c>, <c>Created</c>.</summary>
    public static string StatusText(EngineState s, DateTimeOffset now) => s.Status switch
    {
        ContainerStatus.Running => "Up " + HumanDuration(now - (s.StartedAt ?? now)),
        ContainerStatus.Paused => "Up " + HumanDuration(now - (s.StartedAt ?? now)) + " (Paused)",
        ContainerStatus.Exited => s.FinishedAt is { } f
            ? $"Exited ({s.ExitCode}) {HumanDuration(now - f)} ago"
            : $"Exited ({s.ExitCode})",
        ContainerStatus.Removing => "Removal In Progress",
        ContainerStatus.Dead => "Dead",
        ContainerStatus.Restarting => $"Restarting ({s.ExitCode}) {HumanDuration(now - (s.FinishedAt ?? now))} ago",
        _ => "Created",
    };

    /// <summary>Docker's rounding of a duration into words.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1) { return "Less than a second"; }
        if (seconds == 1) { return "1 second"; }
        if (seconds < 60) { return $"{seconds} seconds"; }
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1) { return "About a minute"; }
        if (minutes < 60) { return $"{minutes} minutes"; }
        var hours = (long)Math.Round(d.TotalHours);
        if (hours == 1) { return "About an hour"; }
        if (hours < 48) { return $"{hours} hours"; }
        if (hours < 24 * 7 * 2) { return $"{hours / 24} days"; }
        if (hours < 24 * 30 * 2) { return $"{hours / 24 / 7} weeks"; }
        if (hours < 24 * 365 * 2) { return $"{hours / 24 / 30} months"; }
        return $"{hours / 24 / 365} years";
    }
}

/// <summary>
/// <c>docker ps</c>'s summary plus what Get-Container would otherwise inspect every container for:
/// its state (inspect's State object) and whether it has a terminal. A thousand containers are then
/// one request instead of a thousand and one. Clients that do not know the fields ignore them.
/// </summary>
public sealed class ContainerSummary : ContainerListResponse
{
    /// <summary>The state as inspect reports it (times, exit code).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("DockPSState")]
    public State? DockPSState { get; set; }

    /// <summary>Whether the container has a terminal.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("DockPSTty")]
    public bool DockPSTty { get; set; }
}
