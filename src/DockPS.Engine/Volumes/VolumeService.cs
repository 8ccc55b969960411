using System.Text.RegularExpressions;
using DockPS.Engine.Events;
using DockPS.Engine.Filters;
using DockPS.Engine.Native;

namespace DockPS.Engine.Volumes;

/// <summary>
/// Volumes with Docker's local driver: each one is <c>&lt;root&gt;/&lt;name&gt;/_data</c>, a plain
/// directory, or the mount point of what its options name (tmpfs, a bound host directory, …)
/// while containers use it. Create, inspect, list, remove and prune; mounting and filling from an
/// image are in <c>VolumeService.Mounts.cs</c>, for containers.
/// </summary>
/// <remarks>
/// The record is the truth and the directory follows it: a directory is made before its record and
/// removed after it, so a crash leaves at most a directory without a record, which
/// <see cref="Recover"/> deletes; data that has a record is never deleted but by a remove.
/// Mutations are serialized, as for images: volumes change rarely, and one writer keeps the
/// in-use check and the removal that follows it together.
/// </remarks>
public sealed partial class VolumeService
{
    /// <summary>The only driver: volumes on this host's filesystem.</summary>
    public const string LocalDriver = "local";

    /// <summary>The label Docker puts on volumes made without a name; prune removes only these unless asked for all.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private const string DataDirName = "_data";
    private const uint RootMode = 0b111_000_001;   // 0701: others may pass through to _data, not list names
    private const uint DataMode = 0b111_101_101;   // 0755, as Docker makes _data

    private static readonly IReadOnlySet<string> ListFilterKeys = new HashSet<string> { "name", "driver", "label", "dangling" };
    private static readonly IReadOnlySet<string> PruneFilterKeys = new HashSet<string> { "label", "label!", "all" };

    private readonly VolumeStore _store;
    private readonly string _root;
    private readonly string _temp;
    private readonly EventLog _events;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private IVolumeUsers _users = NoVolumeUsers.Instance;

    /// <summary>A service over <paramref name="root"/> (the data root's <c>volumes</c> folder).</summary>
    /// <param name="store">The volume records.</param>
    /// <param name="root">Where volume directories live.</param>
    /// <param name="tempDirectory">Scratch space on the same filesystem, emptied at every start; removals pass through it.</param>
    /// <param name="events">Where create and destroy events go.</param>
    public VolumeService(VolumeStore store, string root, string tempDirectory, EventLog events)
    {
        _store = store;
        _root = root;
        _temp = tempDirectory;
        _events = events;
    }

    /// <summary>The volume records.</summary>
    public VolumeStore Store => _store;

    /// <summary>Where volume directories live.</summary>
    public string Root => _root;

    /// <summary>
    /// Who references volumes. Containers set their implementation once at startup; until then
    /// nobody does, so every volume may be removed.
    /// </summary>
    public IVolumeUsers Users
    {
        get => Volatile.Read(ref _users);
        set => Volatile.Write(ref _users, value ?? NoVolumeUsers.Instance);
    }

    /// <summary>The host path of a volume's data: <c>&lt;root&gt;/&lt;name&gt;/_data</c>.</summary>
    public string DataPathOf(string name) => Path.Combine(_root, name, DataDirName);

    /// <summary>The volume named <paramref name="name"/>.</summary>
    /// <exception cref="VolumeNotFoundException">There is none.</exception>
    public VolumeRecord Get(string name) => _store.Get(name) ?? throw new VolumeNotFoundException(name);

    /// <summary>
    /// The containers referencing a volume, and any other holder of a mount reference
    /// (<see cref="MountAsync"/>) the containers did not report, without duplicates.
    /// </summary>
    public IReadOnlyList<string> UsersOf(string name)
    {
        var users = Users.ContainersUsing(name).ToList();
        lock (_mounts)
        {
            if (_mounts.TryGetValue(name, out var refs)) { users.AddRange(refs.Order(StringComparer.Ordinal).Where(r => !users.Contains(r))); }
        }
        return users;
    }

    /// <summary>
    /// Volumes passing Docker's list filters: <c>name</c> (a part of the name, or a regular
    /// expression, as dockerd matches it), <c>driver</c>, <c>label</c> (<c>key</c> or
    /// <c>key=value</c>), <c>dangling</c> (true: no container references it; false: some does).
    /// </summary>
    /// <exception cref="FilterException">An unknown filter or a bad <c>dangling</c> value.</exception>
    public IReadOnlyList<VolumeRecord> List(FilterSet filters)
    {
        filters.Validate(ListFilterKeys);
        bool? dangling = null;
        if (filters.Contains("dangling"))
        {
            var values = filters.Get("dangling");
            dangling = values.Any(v => v is "true" or "1") ? true
                : values.Any(v => v is "false" or "0") ? false
                : throw new FilterException($"invalid filter 'dangling={values.First()}'");
        }
        return _store.All().Where(v =>
            Matches(filters, "name", v.Name) &&
            Matches(filters, "driver", v.Driver) &&
            filters.MatchLabels("label", v.Labels) &&
            (dangling is null || dangling == (UsersOf(v.Name).Count == 0))).ToList();
    }

    /// <summary>dockerd's filter match: a value equal to, or a regular expression found in, the text.</summary>
    private static bool Matches(FilterSet filters, string key, string text) =>
        !filters.Contains(key) || filters.Get(key).Any(pattern =>
        {
            if (text.Contains(pattern, StringComparison.Ordinal)) { return true; }
            try { return Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
            catch (ArgumentException) { return false; }   // not a valid expression: dockerd skips it too
        });

    /// <summary>
    /// Creates a volume, or returns the existing one of that name (Docker's behaviour: labels and
    /// options of the second call are ignored). Without a name the volume is anonymous: a random
    /// 64-hex name and the <see cref="AnonymousLabel"/> label.
    /// </summary>
    /// <param name="name">The name, or null/empty for an anonymous volume.</param>
    /// <param name="driver">The driver, null/empty for <c>local</c> (the only one).</param>
    /// <param name="labels">User metadata.</param>
    /// <param name="driverOptions">Local driver options: <c>type</c>, <c>device</c>, <c>o</c>.</param>
    /// <param name="cancellationToken">Cancels waiting for other volume changes.</param>
    /// <exception cref="InvalidVolumeException">A bad name or option (400).</exception>
    /// <exception cref="VolumeDriverNotFoundException">A driver other than local (404).</exception>
    /// <exception cref="VolumeConflictException">The name is taken by a volume of another driver (409).</exception>
    public async Task<VolumeRecord> CreateAsync(string? name, string? driver, IReadOnlyDictionary<string, string>? labels,
        IReadOnlyDictionary<string, string>? driverOptions, CancellationToken cancellationToken)
    {
        var anonymous = string.IsNullOrEmpty(name);
        name = anonymous ? VolumeNames.NewAnonymous() : name!;
        driver = string.IsNullOrEmpty(driver) ? LocalDriver : driver;
        VolumeNames.Validate(name);
        if (driver != LocalDriver) { throw new VolumeDriverNotFoundException(name, driver); }
        var options = new Dictionary<string, string>(driverOptions ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var allLabels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (anonymous) { allLabels[AnonymousLabel] = ""; }

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.Get(name) is { } existing)
            {
                return existing.Driver == driver ? existing
                    : throw new VolumeConflictException($"create {name}: driver '{existing.Driver}' already has volume '{name}': volume name must be unique");
            }
            LocalMountOptions.Parse(name, options);
            var volume = new VolumeRecord(name, driver, DataPathOf(name), DateTimeOffset.UtcNow, allLabels, options);
            MakeDirectories(name);
            _store.Add(volume);
            _events.Publish(EventTypes.Volume, "create", name, new Dictionary<string, string> { ["driver"] = driver });
            return volume;
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// The volume a container mount names, created on first use without labels or options, as
    /// <c>docker run -v name:/path</c> does; null or empty makes an anonymous one (<c>-v /path</c>).
    /// </summary>
    public Task<VolumeRecord> GetOrCreateForMountAsync(string? name, CancellationToken cancellationToken = default) =>
        CreateAsync(name, LocalDriver, null, null, cancellationToken);

    /// <summary>
    /// Removes a volume and its data. A volume that containers reference is refused whatever
    /// <paramref name="force"/> says, as in Docker, where force only makes a missing volume no error.
    /// </summary>
    /// <exception cref="VolumeNotFoundException">No such volume, and not <paramref name="force"/> (404).</exception>
    /// <exception cref="VolumeInUseException">Containers reference it (409).</exception>
    public async Task RemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.Get(name) is not { } volume)
            {
                if (force) { return; }
                throw new VolumeNotFoundException(name);
            }
            if (UsersOf(name) is { Count: > 0 } users) { throw new VolumeInUseException(name, users); }
            Delete(volume);
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// Removes volumes no container references: only anonymous ones, unless the filter
    /// <c>all=true</c> asks for named ones too (API 1.42 semantics; the API layer adds it for older
    /// clients). Filters: <c>label</c>, <c>label!</c> (<c>key</c> or <c>key=value</c>), <c>all</c>.
    /// </summary>
    /// <returns>The names deleted, in order, and the bytes their data took.</returns>
    /// <exception cref="FilterException">An unknown filter or a bad <c>all</c> value.</exception>
    public async Task<(IReadOnlyList<string> Deleted, long SpaceReclaimed)> PruneAsync(FilterSet filters, CancellationToken cancellationToken)
    {
        filters.Validate(PruneFilterKeys);
        var all = false;
        foreach (var value in filters.Get("all"))
        {
            all |= value.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new FilterException($"invalid filter 'all={value}'"),
            };
        }
        var deleted = new List<string>();
        long reclaimed = 0;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var volume in _store.All())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!all && !volume.IsAnonymous) { continue; }
                if (!filters.MatchLabels("label", volume.Labels)) { continue; }
                if (filters.Get("label!").Any(l => FilterSet.From([new("label", l)]).MatchLabels("label", volume.Labels))) { continue; }
                if (UsersOf(volume.Name).Count > 0) { continue; }
                var size = SizeOf(volume.Name);
                Delete(volume);
                deleted.Add(volume.Name);
                reclaimed += size;
            }
        }
        finally { _writer.Release(); }
        _events.Publish(EventTypes.Volume, "prune", "", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return (deleted, reclaimed);
    }

    /// <summary>
    /// Bytes in a volume's data: regular files, each hard-linked file once (as Docker's disk usage
    /// counts); mounts inside it are not entered.
    /// </summary>
    public long SizeOf(string name) => DiskUsage.Of(DataPathOf(name));

    /// <summary>
    /// Unmounts what is mounted in the volume, forgets the record, then deletes the directory by
    /// moving it into the temp folder first: a crash mid-delete leaves files only there, and the
    /// temp folder is emptied at every start.
    /// </summary>
    private void Delete(VolumeRecord volume)
    {
        var dir = Path.Combine(_root, volume.Name);
        if (Directory.Exists(dir)) { MountTable.UnmountAll(dir); }
        lock (_mounts) { _mounts.Remove(volume.Name); }
        _store.Delete(volume.Name);
        if (Directory.Exists(dir))
        {
            var doomed = Path.Combine(_temp, "volume-" + Guid.NewGuid().ToString("N"));
            Posix.Rename(dir, doomed);
            Directory.Delete(doomed, recursive: true);
        }
        _events.Publish(EventTypes.Volume, "destroy", volume.Name, new Dictionary<string, string> { ["driver"] = volume.Driver });
    }

    /// <summary>Makes <c>&lt;root&gt;/&lt;name&gt;</c> (0701) and its <c>_data</c> (0755), keeping what exists.</summary>
    private string MakeDirectories(string name)
    {
        MakeDirectory(_root, RootMode);
        MakeDirectory(Path.Combine(_root, name), RootMode);
        var data = DataPathOf(name);
        MakeDirectory(data, DataMode);
        return data;
    }

    private static void MakeDirectory(string path, uint mode)
    {
        if (Directory.Exists(path)) { return; }
        Posix.MakeDirectory(path, mode);
        // mkdir honours the umask; the mode must be exact.
        Posix.Chmod(path, mode);
    }
}
