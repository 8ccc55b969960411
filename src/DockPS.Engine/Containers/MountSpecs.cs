using System.Text.RegularExpressions;
using DockPS.Engine.Images;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Containers;

/// <summary>
/// A container's mounts from <c>HostConfig.Binds</c>, <c>HostConfig.Mounts</c>,
/// <c>HostConfig.Tmpfs</c> and the image's and config's <c>Volumes</c>, checked and resolved at
/// create: bind sources exist (the <c>Binds</c> form creates a missing folder, as Docker does),
/// volumes are created, one mount per destination.
/// </summary>
public static partial class MountSpecs
{
    private static readonly HashSet<string> Propagations = ["shared", "slave", "private", "rshared", "rslave", "rprivate"];

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex VolumeName();

    /// <summary>Resolves every mount of <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">A malformed spec, a missing bind source, a bad volume name, a duplicate destination.</exception>
    public static async Task<IReadOnlyList<MountPoint>> ResolveAsync(ContainerConfig config, ContainerDefaults image,
        VolumeService volumes, CancellationToken cancellationToken)
    {
        var host = config.Host;
        var wanted = new List<(MountPoint Mount, IReadOnlyDictionary<string, string>? Labels)>();
        foreach (var bind in host.Binds ?? []) { wanted.Add((ParseBind(bind), null)); }
        foreach (var mount in host.Mounts ?? []) { wanted.Add((FromMount(mount), mount.VolumeLabels)); }
        foreach (var (target, options) in host.Tmpfs ?? new Dictionary<string, string>())
        {
            wanted.Add((new MountPoint { Type = "tmpfs", Destination = Destination(target), TmpfsOptions = options, RW = !options.Split(',').Contains("ro") }, null));
        }
        var duplicate = wanted.GroupBy(w => w.Mount.Destination).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) { throw new ArgumentException($"Duplicate mount point: {duplicate.Key}"); }
        // The image's VOLUMEs (and Config.Volumes) not covered otherwise get anonymous volumes.
        var anonymous = (image.Volumes?.Keys ?? []).Concat(config.Volumes ?? [])
            .Select(Destination).Distinct()
            .Where(d => !wanted.Any(w => w.Mount.Destination == d))
            .Select(d => (new MountPoint { Type = "volume", Destination = d }, (IReadOnlyDictionary<string, string>?)null));
        var resolved = new List<MountPoint>();
        foreach (var (mount, labels) in wanted.Concat(anonymous).ToList())
        {
            if (mount.Type != "volume") { resolved.Add(mount); continue; }
            // A named volume is made on first use (an existing one is kept as it is); no name makes an anonymous one.
            var volume = await volumes.CreateAsync(mount.Name, VolumeService.LocalDriver, labels, null, cancellationToken);
            resolved.Add(mount with { Name = volume.Name, Driver = volume.Driver, Source = volume.Mountpoint, Anonymous = mount.Name is null });
        }
        return resolved;
    }

    /// <summary>Parses <c>source:/dest[:mode]</c> or <c>/dest</c> (an anonymous volume).</summary>
    public static MountPoint ParseBind(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"invalid volume specification: '{spec}'");
        }
        if (parts.Length == 1) { return new MountPoint { Type = "volume", Destination = Destination(parts[0]) }; }
        var source = parts[0];
        var mode = parts.Length == 3 ? parts[2] : "";
        var options = mode.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var rw = true;
        var propagation = "";
        var noCopy = false;
        foreach (var option in options)
        {
            switch (option)
            {
                case "ro": rw = false; break;
                case "rw": rw = true; break;
                case "z" or "Z": break; // SELinux relabelling: not used on this host.
                case "nocopy": noCopy = true; break;
                case var p when Propagations.Contains(p): propagation = p; break;
                default: throw new ArgumentException($"invalid mode: {mode}");
            }
        }
        var destination = Destination(parts[1]);
        if (source.StartsWith('/'))
        {
            if (noCopy) { throw new ArgumentException($"invalid mode: {mode}"); }
            // The -v form makes a missing host folder, as Docker always has; --mount refuses it.
            if (!Path.Exists(source)) { Directory.CreateDirectory(source); }
            return new MountPoint { Type = "bind", Source = source, Destination = destination, Mode = mode, RW = rw, Propagation = propagation.Length > 0 ? propagation : "rprivate" };
        }
        if (propagation.Length > 0) { throw new ArgumentException($"invalid mode: {mode}"); }
        return new MountPoint { Type = "volume", Name = CheckVolumeName(source), Destination = destination, Mode = mode, RW = rw, NoCopy = noCopy, Driver = "local" };
    }

    private static MountPoint FromMount(MountRequest mount)
    {
        var destination = Destination(mount.Target);
        switch (mount.Type)
        {
            case "bind":
                if (string.IsNullOrEmpty(mount.Source) || !mount.Source.StartsWith('/'))
                {
                    throw new ArgumentException($"invalid mount config for type \"bind\": invalid mount path: '{mount.Source}' mount path must be absolute");
                }
                if (!Path.Exists(mount.Source))
                {
                    throw new ArgumentException($"invalid mount config for type \"bind\": bind source path does not exist: {mount.Source}");
                }
                if (mount.Propagation is { Length: > 0 } p && !Propagations.Contains(p))
                {
                    throw new ArgumentException($"invalid mount config for type \"bind\": invalid propagation mode: {p}");
                }
                return new MountPoint
                {
                    Type = "bind", Source = mount.Source, Destination = destination, RW = !mount.ReadOnly,
                    Propagation = string.IsNullOrEmpty(mount.Propagation) ? "rprivate" : mount.Propagation,
                };
            case "volume":
                return new MountPoint
                {
                    Type = "volume", Name = string.IsNullOrEmpty(mount.Source) ? null : CheckVolumeName(mount.Source),
                    Destination = destination, RW = !mount.ReadOnly, NoCopy = mount.NoCopy, Driver = "local",
                };
            case "tmpfs":
                if (!string.IsNullOrEmpty(mount.Source)) { throw new ArgumentException("invalid mount config for type \"tmpfs\": source must not be specified"); }
                var options = new List<string>();
                if (mount.TmpfsSize > 0) { options.Add($"size={mount.TmpfsSize}"); }
                if (mount.TmpfsMode > 0) { options.Add($"mode={Convert.ToString(mount.TmpfsMode, 8)}"); }
                return new MountPoint { Type = "tmpfs", Destination = destination, RW = !mount.ReadOnly, TmpfsOptions = string.Join(',', options) };
            default:
                throw new ArgumentException($"invalid mount config: mount type unknown: \"{mount.Type}\"");
        }
    }

    private static string Destination(string target)
    {
        if (!target.StartsWith('/')) { throw new ArgumentException($"invalid mount config: mount path must be absolute: '{target}'"); }
        var clean = "/" + string.Join('/', target.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (clean == "/") { throw new ArgumentException("invalid specification: destination can't be '/'"); }
        if (clean.Split('/').Contains("..")) { throw new ArgumentException($"invalid mount config: mount path must not contain '..': '{target}'"); }
        return clean;
    }

    /// <summary>Docker's rule for local volume names; a path-like name is refused with a hint.</summary>
    public static string CheckVolumeName(string name) => VolumeName().IsMatch(name)
        ? name
        : throw new ArgumentException(
            $"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. " +
            "If you intended to pass a host directory, use absolute path");
}
