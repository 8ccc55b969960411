using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Commands.Images;
using DockPS.Commands.Volumes;

namespace DockPS.Commands.Containers;

/// <summary>
/// What New-Container and Invoke-Container share: the parameters that describe a container, and
/// their translation into the create request docker create sends.
/// </summary>
public abstract class ContainerCreateCmdlet : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The image to make the container from: name[:tag] or an image ID.</para></summary>
    // Not from the pipeline: Invoke-Container's pipeline is the container's stdin, and it needs the image before the first line.
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string Image { get; set; } = "";

    /// <summary><para type="description">The command and its arguments, instead of the image's CMD. Every word after the image is part of it (busybox echo hello); put -- before words that start with '-' (busybox -- ls -l /).</para></summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    public string[]? Command { get; set; }

    /// <summary><para type="description">The container's name: letters, digits, '_', '.' and '-', starting with a letter or digit. Without it the daemon makes one up (adjective_surname).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary><para type="description">The program to run instead of the image's ENTRYPOINT; -Command becomes its arguments. An empty string clears the image's entrypoint.</para></summary>
    [Parameter]
    [AllowEmptyString]
    public string[]? Entrypoint { get; set; }

    /// <summary><para type="description">Environment variables: a hashtable of name to value, e.g. @{ MODE = 'test'; PORT = 8080 }.</para></summary>
    [Parameter]
    [Alias("Env")]
    public Hashtable? Environment { get; set; }

    /// <summary><para type="description">Volumes and binds, as docker -v takes them: 'data:/var/lib/x' (the volume data, made if missing), '/host/path:/in/container', with ':ro' for read-only; a container path alone ('/cache') makes an anonymous volume.</para></summary>
    [Parameter]
    public string[]? Volume { get; set; }

    /// <summary><para type="description">Mounts as hashtables, as docker --mount takes them: Type (volume, bind, tmpfs), Source, Target, ReadOnly; for volumes NoCopy and Subpath; for binds Propagation; for tmpfs Size (bytes) and Mode (e.g. 0x1ED for 0755). Example: @{ Type = 'tmpfs'; Target = '/scratch'; Size = 64MB }.</para></summary>
    [Parameter]
    public Hashtable[]? Mount { get; set; }

    /// <summary><para type="description">Paths to mount a fresh tmpfs on, optionally with mount options: '/run', '/tmp:size=64m,mode=1777'.</para></summary>
    [Parameter]
    public string[]? Tmpfs { get; set; }

    /// <summary><para type="description">The working directory of the command inside the container, instead of the image's WORKDIR.</para></summary>
    [Parameter]
    [Alias("WorkDir")]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary><para type="description">The user to run as: name, uid, name:group or uid:gid.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary><para type="description">The container's host name (default: the first 12 digits of its ID).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Hostname { get; set; }

    /// <summary><para type="description">Labels: a hashtable of key to value, e.g. @{ team = 'web' }.</para></summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary><para type="description">The memory limit in bytes; PowerShell's 64MB and 1GB literals are bytes.</para></summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long Memory { get; set; }

    /// <summary><para type="description">How many CPUs' worth of time the container may use, e.g. 0.5 or 2.</para></summary>
    [Parameter]
    [ValidateRange(0.0, 1024.0)]
    public double Cpus { get; set; }

    /// <summary><para type="description">The most processes (and threads) the container may have at once.</para></summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long PidsLimit { get; set; }

    /// <summary><para type="description">The network: default (the daemon's default), none (loopback only) or host (the host's own network).</para></summary>
    [Parameter]
    [ValidateSet("default", "none", "host")]
    public string? Network { get; set; }

    /// <summary><para type="description">Give the container a terminal: its output is then one stream, with the terminal's line endings.</para></summary>
    [Parameter]
    public SwitchParameter Tty { get; set; }

    /// <summary><para type="description">Keep the container's stdin open so it can be attached and written to.</para></summary>
    [Parameter]
    public SwitchParameter Interactive { get; set; }

    /// <summary><para type="description">Mount the container's root filesystem read-only (volumes, binds and tmpfs stay as asked).</para></summary>
    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary><para type="description">Give the container every capability and access to the host's devices. Only for containers you trust.</para></summary>
    [Parameter]
    public SwitchParameter Privileged { get; set; }

    /// <summary><para type="description">Capabilities to add to Docker's default set, e.g. NET_ADMIN (or ALL).</para></summary>
    [Parameter]
    public string[]? CapAdd { get; set; }

    /// <summary><para type="description">Capabilities to take from Docker's default set, e.g. CHOWN (or ALL).</para></summary>
    [Parameter]
    public string[]? CapDrop { get; set; }

    /// <summary><para type="description">Security options as docker --security-opt takes them, e.g. no-new-privileges or seccomp=unconfined.</para></summary>
    [Parameter]
    public string[]? SecurityOpt { get; set; }

    /// <summary><para type="description">The signal Stop-Container sends first (default SIGTERM, or the image's STOPSIGNAL).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StopSignal { get; set; }

    /// <summary><para type="description">Seconds Stop-Container waits after the stop signal before it kills the container (default 10).</para></summary>
    [Parameter]
    [ValidateRange(-1, int.MaxValue)]
    public int StopTimeout { get; set; }

    /// <summary><para type="description">The OCI runtime to run the container with (crun, runc, or one the daemon was given with --add-runtime).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Runtime { get; set; }

    /// <summary><para type="description">Options of the json-file log: @{ 'max-size' = '10m'; 'max-file' = 3 }.</para></summary>
    [Parameter]
    public Hashtable? LogOption { get; set; }

    #endregion

    /// <summary>The create request the parameters describe.</summary>
    /// <param name="autoRemove">Have the daemon remove the container when it exits.</param>
    /// <param name="stdinOnce">Close the container's stdin when the first attached client closes it (a foreground run).</param>
    /// <exception cref="ArgumentException">A -Mount, -Tmpfs or -Volume entry that cannot be understood.</exception>
    internal CreateContainerParameters BuildCreateParameters(bool autoRemove, bool stdinOnce)
    {
        var bound = MyInvocation.BoundParameters;
        var binds = new List<string>();
        var anonymous = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
        foreach (var spec in Volume ?? [])
        {
            if (string.IsNullOrWhiteSpace(spec)) { throw new ArgumentException("a -Volume entry is empty"); }
            // A container path alone is an anonymous volume (docker create's Config.Volumes); the rest is the daemon's to read.
            if (spec.Contains(':', StringComparison.Ordinal)) { binds.Add(spec); } else { anonymous[spec] = default; }
        }
        // Docker.DotNet's models say non-null, but a null is what leaves a field out of the request.
        return new CreateContainerParameters
        {
            Name = Name,
            Image = Image,
            Cmd = (Command is { Length: > 0 } ? [.. Command] : null)!,
            Entrypoint = (Entrypoint is null ? null : [.. Entrypoint])!,
            Env = (Environment is null ? null : [.. VolumeObjects.Map(Environment).Select(e => $"{e.Key}={e.Value}")])!,
            WorkingDir = WorkingDirectory!,
            User = User!,
            Hostname = Hostname!,
            Labels = (Label is null ? null : VolumeObjects.Map(Label))!,
            Tty = Tty,
            OpenStdin = Interactive,
            AttachStdin = Interactive,
            StdinOnce = Interactive && stdinOnce,
            AttachStdout = true,
            AttachStderr = true,
            StopSignal = StopSignal,
            StopTimeout = bound.ContainsKey(nameof(StopTimeout)) ? TimeSpan.FromSeconds(StopTimeout) : null,
            Volumes = (anonymous.Count > 0 ? anonymous : null)!,
            HostConfig = new HostConfig
            {
                Binds = (binds.Count > 0 ? binds : null)!,
                Mounts = Mount is null ? null : [.. Mount.Select(MountFrom)],
                Tmpfs = Tmpfs is null ? null : TmpfsFrom(Tmpfs),
                NetworkMode = Network!,
                AutoRemove = autoRemove,
                Privileged = Privileged,
                ReadonlyRootfs = ReadOnly,
                CapAdd = CapAdd!,
                CapDrop = CapDrop!,
                SecurityOpt = SecurityOpt!,
                Runtime = Runtime,
                Memory = Memory,
                NanoCPUs = (long)Math.Round(Cpus * 1e9),
                PidsLimit = bound.ContainsKey(nameof(PidsLimit)) ? PidsLimit : null,
                // The driver is left to the daemon's default, as docker's --log-opt alone does.
                LogConfig = (LogOption is null ? null : new LogConfig { Type = "", Config = VolumeObjects.Map(LogOption) })!,
            },
        };
    }

    private static Dictionary<string, string> TmpfsFrom(string[] specs)
    {
        var tmpfs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            var path = colon < 0 ? spec : spec[..colon];
            if (!path.StartsWith('/')) { throw new ArgumentException($"-Tmpfs '{spec}': the path must be absolute"); }
            tmpfs[path] = colon < 0 ? "" : spec[(colon + 1)..];
        }
        return tmpfs;
    }

    private static readonly string[] MountKeys =
        ["Type", "Source", "Src", "Target", "Destination", "Dst", "ReadOnly", "NoCopy", "Subpath", "Propagation", "Size", "Mode"];

    // docker --mount's keys, as a hashtable (PowerShell's are case-insensitive).
    private static Mount MountFrom(Hashtable table)
    {
        foreach (var key in table.Keys.Cast<object>().Select(k => k.ToString()!))
        {
            if (!MountKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"-Mount: unknown key '{key}'; use {string.Join(", ", MountKeys)}");
            }
        }
        string? Text(params string[] keys) =>
            keys.Select(k => table[k]).FirstOrDefault(v => v is not null) is { } v ? LanguagePrimitives.ConvertTo<string>(v) : null;
        T? Value<T>(string key) where T : struct =>
            table[key] is { } v ? LanguagePrimitives.ConvertTo<T>(v) : null;

        var type = (Text("Type") ?? "volume").ToLowerInvariant();
        var target = Text("Target", "Destination", "Dst") ?? throw new ArgumentException("-Mount: Target is required");
        var mount = new Mount
        {
            Type = type,
            Source = Text("Source", "Src"),
            Target = target,
            ReadOnly = Value<bool>("ReadOnly"),
        };
        switch (type)
        {
            case "volume":
                if (table["NoCopy"] is not null || table["Subpath"] is not null)
                {
                    mount.VolumeOptions = new VolumeOptions { NoCopy = Value<bool>("NoCopy"), Subpath = Text("Subpath") };
                }
                break;
            case "bind":
                if (Text("Propagation") is { } propagation) { mount.BindOptions = new BindOptions { Propagation = propagation }; }
                break;
            case "tmpfs":
                if (table["Size"] is not null || table["Mode"] is not null)
                {
                    mount.TmpfsOptions = new TmpfsOptions { SizeBytes = Value<long>("Size"), Mode = Value<uint>("Mode") };
                }
                break;
            default:
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"-Mount: Type '{type}' is not volume, bind or tmpfs"));
        }
        return mount;
    }
}
