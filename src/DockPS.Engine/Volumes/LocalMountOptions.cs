using DockPS.Engine.Native;

namespace DockPS.Engine.Volumes;

/// <summary>
/// The local driver's options, as in Docker: <c>type</c>, <c>device</c> and <c>o</c> are the
/// arguments of one mount(2) that puts a filesystem (tmpfs, a bind of a host directory, a block
/// device, NFS) on the volume's <c>_data</c> directory while containers use it. Without options the
/// volume is a plain directory and nothing is mounted.
/// </summary>
public sealed class LocalMountOptions
{
    /// <summary>Option keys: the filesystem type, what to mount, and mount options.</summary>
    public const string Type = "type", Device = "device", Options = "o";

    // Option words that are mount(2) flags rather than filesystem data, with the bits they set
    // (or, for their opposites, clear). The rest of "o" goes to the filesystem verbatim.
    private static readonly Dictionary<string, (ulong Set, ulong Clear)> Flags = new(StringComparer.Ordinal)
    {
        ["defaults"] = (0, 0),
        ["ro"] = (MsRdOnly, 0), ["rw"] = (0, MsRdOnly),
        ["nosuid"] = (0x2, 0), ["suid"] = (0, 0x2),
        ["nodev"] = (0x4, 0), ["dev"] = (0, 0x4),
        ["noexec"] = (0x8, 0), ["exec"] = (0, 0x8),
        ["sync"] = (0x10, 0), ["async"] = (0, 0x10),
        ["dirsync"] = (0x80, 0),
        ["noatime"] = (0x400, 0), ["atime"] = (0, 0x400),
        ["nodiratime"] = (0x800, 0), ["diratime"] = (0, 0x800),
        ["relatime"] = (0x200000, 0), ["norelatime"] = (0, 0x200000),
        ["strictatime"] = (0x1000000, 0),
        ["bind"] = (MsBind, 0),
        ["rbind"] = (MsBind | MsRec, 0),
    };

    private const ulong MsRdOnly = 0x1, MsBind = 0x1000, MsRec = 0x4000, MsRemount = 0x20;

    private LocalMountOptions(string type, string device, ulong flags, string data)
    {
        FsType = type;
        Source = device;
        MountFlags = flags;
        Data = data;
    }

    /// <summary>The filesystem type (tmpfs, none for a bind, nfs, ext4, …).</summary>
    public string FsType { get; }

    /// <summary>What is mounted: a device, a host directory for a bind, or a name for tmpfs.</summary>
    public string Source { get; }

    /// <summary>The mount(2) flags the option words asked for.</summary>
    public ulong MountFlags { get; }

    /// <summary>The filesystem's own options (size=64m,uid=1000 …), comma-joined.</summary>
    public string Data { get; }

    /// <summary>True for tmpfs: the data lives only while mounted, so it is never kept between uses.</summary>
    public bool IsTmpfs => FsType == "tmpfs";

    /// <summary>True when the mount binds a host directory.</summary>
    public bool IsBind => (MountFlags & MsBind) != 0;

    /// <summary>
    /// Checks options as the local driver does when a volume is created: only the three keys, each
    /// with the others it needs (<c>type</c> and <c>device</c> go together; <c>o</c> needs both),
    /// and a bind's device an absolute path. Null when there are none: a plain directory.
    /// </summary>
    /// <exception cref="InvalidVolumeException">An unknown or incomplete option.</exception>
    public static LocalMountOptions? Parse(string volumeName, IReadOnlyDictionary<string, string> options)
    {
        if (options.Count == 0) { return null; }
        foreach (var key in options.Keys.Order(StringComparer.Ordinal))
        {
            if (key is not (Type or Device or Options))
            {
                throw new InvalidVolumeException($"create {volumeName}: invalid option: \"{key}\"");
            }
        }
        foreach (var (key, needs) in new[] { (Device, new[] { Type }), (Type, new[] { Device }), (Options, new[] { Device, Type }) })
        {
            if (!options.ContainsKey(key)) { continue; }
            foreach (var need in needs)
            {
                if (!options.ContainsKey(need)) { throw new InvalidVolumeException($"create {volumeName}: missing required option: \"{need}\""); }
            }
        }
        ulong flags = 0;
        var data = new List<string>();
        foreach (var word in (options.GetValueOrDefault(Options) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Flags.TryGetValue(word, out var bits)) { flags = (flags | bits.Set) & ~bits.Clear; }
            else if (word == "remount") { throw new InvalidVolumeException($"create {volumeName}: mount option \"remount\" is not allowed for a volume"); }
            else { data.Add(word); }
        }
        var parsed = new LocalMountOptions(options[Type], options[Device], flags & ~MsRemount, string.Join(',', data));
        if (parsed.FsType.Length == 0) { throw new InvalidVolumeException($"create {volumeName}: option \"type\" is empty"); }
        if (parsed.IsBind && !parsed.Source.StartsWith('/'))
        {
            throw new InvalidVolumeException($"create {volumeName}: a bind needs an absolute host path as device, not \"{parsed.Source}\"");
        }
        return parsed;
    }

    /// <summary>Mounts the filesystem on <paramref name="target"/>.</summary>
    /// <exception cref="PosixException">The kernel refused (a missing device or host directory, a bad size, …).</exception>
    public void MountOn(string target)
    {
        if (IsBind)
        {
            // A bind ignores type and data; read-only and the like need a second, remounting call.
            Posix.Mount(Source, target, "none", MountFlags & (MsBind | MsRec), null);
            var extra = MountFlags & ~(MsBind | MsRec);
            if (extra != 0) { Posix.Mount("none", target, "none", extra | MsBind | MsRemount, null); }
            return;
        }
        Posix.Mount(Source, target, FsType, MountFlags, Data.Length == 0 ? null : Data);
    }
}
