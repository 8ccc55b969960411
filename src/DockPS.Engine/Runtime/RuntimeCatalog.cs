using DockPS.Engine.Host;
using DockPS.Engine.Native;

namespace DockPS.Engine.Runtime;

/// <summary>
/// The OCI runtimes the engine can use, by name, and the default one. crun is preferred (it starts
/// a container in a third of runc's time). On a hybrid cgroup host crun refuses to run while the
/// cgroup2 hierarchy holds a controller; the catalog then moves those controllers to v1
/// hierarchies of their own (as cgroupfs-mount does for every controller), and falls back to runc
/// when it cannot. <see cref="Note"/> says what happened, for <c>docker info</c>.
/// </summary>
public sealed class RuntimeCatalog
{
    /// <summary>The runtime preferred when none is configured.</summary>
    public const string Preferred = "crun";

    private RuntimeCatalog(IReadOnlyDictionary<string, string> runtimes, string? defaultName, string note, bool degraded = false)
    {
        Runtimes = runtimes;
        Default = defaultName;
        Note = note;
        Degraded = degraded;
    }

    /// <summary>Whether the default is not what was wanted (a fallback, or a runtime that may refuse): worth a warning.</summary>
    public bool Degraded { get; }

    /// <summary>Name → executable path.</summary>
    public IReadOnlyDictionary<string, string> Runtimes { get; }

    /// <summary>The runtime used when a container names none; null when there is none at all.</summary>
    public string? Default { get; }

    /// <summary>How the default was chosen (fallbacks and host changes), empty when nothing needed saying.</summary>
    public string Note { get; }

    /// <summary>
    /// Whether the runtime's monitor should execute it from a sealed copy. crun guards its binary
    /// (CVE-2019-5736) by copying it and executing itself again on every call unless it already
    /// runs from such a copy; handing it one saves that exec. runc copies itself only in its init
    /// (10 MB here): a copy up front would be one more, not one fewer.
    /// </summary>
    public static bool WantsSealedCopy(string runtimePath) => IsCrun(runtimePath);

    /// <summary>Whether the runtime at <paramref name="runtimePath"/> is crun (by its file name).</summary>
    public static bool IsCrun(string runtimePath) => Path.GetFileName(runtimePath) == Preferred;

    /// <summary>The path of a runtime by name (the default when <paramref name="name"/> is empty).</summary>
    /// <exception cref="ArgumentException">No runtime has that name.</exception>
    public (string Name, string Path) Resolve(string? name)
    {
        var wanted = string.IsNullOrEmpty(name) ? Default : name;
        if (wanted is not null && Runtimes.TryGetValue(wanted, out var path)) { return (wanted, path); }
        if (wanted is null) { throw new ArgumentException("no OCI runtime is installed: install crun or runc"); }
        throw new ArgumentException($"unknown or invalid runtime name: {wanted}");
    }

    /// <summary>
    /// Finds the runtimes: crun and runc on PATH, plus <paramref name="added"/> (<c>--add-runtime</c>),
    /// and settles the default: <paramref name="configuredDefault"/> if given, else crun when it can
    /// run here, else runc.
    /// </summary>
    public static RuntimeCatalog Detect(HostFacts host, string? configuredDefault, IReadOnlyDictionary<string, string> added, string cgroupRoot = "/sys/fs/cgroup")
    {
        var runtimes = new Dictionary<string, string>(host.Runtimes, StringComparer.Ordinal);
        foreach (var (name, path) in added) { runtimes[name] = path; }
        var wanted = configuredDefault ?? (runtimes.ContainsKey(Preferred) ? Preferred : runtimes.Keys.FirstOrDefault());
        if (wanted is null) { return new RuntimeCatalog(runtimes, null, "no OCI runtime (crun or runc) found on PATH", degraded: true); }
        if (!runtimes.ContainsKey(wanted))
        {
            throw new ArgumentException($"default runtime {wanted} is neither on PATH nor added with --add-runtime");
        }
        if (Path.GetFileName(runtimes[wanted]) != "crun" || !host.Cgroups.Hybrid) { return new RuntimeCatalog(runtimes, wanted, ""); }

        var failure = FreeUnifiedHierarchy(cgroupRoot);
        if (failure is null)
        {
            return new RuntimeCatalog(runtimes, wanted, "hybrid cgroups: controllers moved off cgroup2 so that crun can run");
        }
        if (configuredDefault is null && runtimes.ContainsKey("runc"))
        {
            return new RuntimeCatalog(runtimes, "runc", $"crun cannot run on this hybrid cgroup host ({failure}); using runc", degraded: true);
        }
        return new RuntimeCatalog(runtimes, wanted, $"crun may refuse to run on this hybrid cgroup host: {failure}", degraded: true);
    }

    /// <summary>Moves every controller of the cgroup2 hierarchy to a v1 hierarchy; null on success, else why not.</summary>
    private static string? FreeUnifiedHierarchy(string cgroupRoot)
    {
        var controllersFile = Path.Combine(cgroupRoot, "unified", "cgroup.controllers");
        try
        {
            var controllers = File.Exists(controllersFile)
                ? File.ReadAllText(controllersFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            foreach (var controller in controllers)
            {
                var point = Path.Combine(cgroupRoot, controller);
                if (MountTable.IsMountPoint(point)) { continue; }
                Directory.CreateDirectory(point);
                Posix.Mount("cgroup", point, "cgroup", 0, controller);
            }
            var left = File.Exists(controllersFile) ? File.ReadAllText(controllersFile).Trim() : "";
            return left.Length == 0 ? null : $"cgroup2 still holds {left}";
        }
        catch (IOException e) { return e.Message; }
        catch (UnauthorizedAccessException e) { return e.Message; }
    }
}
