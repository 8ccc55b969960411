using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DockPS.Engine.Images;
using DockPS.Engine.Store;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Containers;

/// <summary>
/// Containers by ID and name: every record in memory (listing a thousand costs no database read),
/// every change written through to the metadata store first, so memory never holds what the disk
/// does not. The name column's UNIQUE constraint is the final word on name conflicts.
/// </summary>
public sealed class ContainerStore : IVolumeUsers, IImageUsers
{
    private readonly MetadataStore _store;
    private readonly ConcurrentDictionary<string, ContainerRecord> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idByName = new(StringComparer.Ordinal);
    private readonly Lock _names = new();

    /// <summary>Loads every stored container.</summary>
    public ContainerStore(MetadataStore store)
    {
        _store = store;
        var rows = store.Read(db => db.Query("SELECT config FROM containers", column =>
            JsonSerializer.Deserialize((string)column(0)!, StoreJsonContext.Default.ContainerRecord)));
        foreach (var record in rows.OfType<ContainerRecord>())
        {
            _byId[record.Id] = record;
            _idByName[record.Name] = record.Id;
        }
    }

    /// <summary>Every container, newest first (as <c>docker ps</c> lists them).</summary>
    public IReadOnlyList<ContainerRecord> All() =>
        _byId.Values.OrderByDescending(c => c.Created).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();

    /// <summary>How many containers there are.</summary>
    public int Count => _byId.Count;

    /// <summary>The container with this exact ID.</summary>
    public ContainerRecord? Get(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// Docker's lookup: full ID, then exact name (with or without the leading slash), then a
    /// unique ID prefix.
    /// </summary>
    /// <exception cref="ContainerNotFoundException">Nothing matches.</exception>
    /// <exception cref="ArgumentException">A prefix matches several containers.</exception>
    public ContainerRecord Find(string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName)) { throw new ContainerNotFoundException(idOrName); }
        if (_byId.TryGetValue(idOrName, out var byId)) { return byId; }
        if (_idByName.TryGetValue(idOrName.TrimStart('/'), out var id) && _byId.TryGetValue(id, out var byName)) { return byName; }
        var matches = _byId.Values.Where(c => c.Id.StartsWith(idOrName, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ContainerNotFoundException(idOrName),
            _ => throw new ArgumentException($"multiple IDs found with provided prefix: {idOrName}"),
        };
    }

    /// <summary>IDs of the containers whose mounts name the volume.</summary>
    public IReadOnlyList<string> ContainersUsing(string volumeName) =>
        _byId.Values.Where(c => c.Mounts.Any(m => m.Type == "volume" && m.Name == volumeName)).Select(c => c.Id).ToList();

    /// <summary>The containers made from the image.</summary>
    public IReadOnlyList<ImageUser> ContainersUsing(Digest imageId)
    {
        var id = imageId.ToString();
        return _byId.Values.Where(c => c.ImageId == id).Select(c => new ImageUser(c.Id, c.State.Running)).ToList();
    }

    /// <summary>Whether a name is taken.</summary>
    public bool NameTaken(string name) => _idByName.ContainsKey(name);

    /// <summary>Stores a new container.</summary>
    /// <exception cref="ContainerConflictException">The name is taken.</exception>
    public void Add(ContainerRecord record)
    {
        lock (_names)
        {
            if (_idByName.TryGetValue(record.Name, out var holder))
            {
                throw new ContainerConflictException(
                    $"Conflict. The container name \"/{record.Name}\" is already in use by container \"{holder}\". " +
                    "You have to remove (or rename) that container to be able to reuse that name.");
            }
            _store.Write(db => db.Execute(
                "INSERT INTO containers (id, name, state, created, config) VALUES (?1, ?2, ?3, ?4, ?5)",
                record.Id, record.Name, record.State.Status, record.Created.ToString("O", CultureInfo.InvariantCulture), Serialize(record)));
            _byId[record.Id] = record;
            _idByName[record.Name] = record.Id;
        }
    }

    /// <summary>
    /// Writes a changed record. Run-state changes (started, exited) pass <paramref name="durable"/>
    /// false: committed for any crash of the daemon, but not forced to the disk. After a power
    /// loss nothing runs any more and the recovery at start sets every container straight, so the
    /// fsync would buy nothing on the path a container starts on.
    /// </summary>
    public void Update(ContainerRecord record, bool durable = true)
    {
        _store.Write(db => db.Execute("UPDATE containers SET state = ?2, config = ?3 WHERE id = ?1",
            record.Id, record.State.Status, Serialize(record)), durable);
        _byId[record.Id] = record;
    }

    /// <summary>
    /// Forgets a container. A removal passes <paramref name="durable"/> false: its folder is gone
    /// already, so should a power loss bring the record back, the start finds it without one and
    /// drops it (see <see cref="ContainerService.Recover"/>).
    /// </summary>
    public void Remove(string id, bool durable = true)
    {
        lock (_names)
        {
            _store.Write(db => db.Execute("DELETE FROM containers WHERE id = ?1", id), durable);
            if (_byId.TryRemove(id, out var removed)) { _idByName.TryRemove(removed.Name, out _); }
        }
    }

    private static string Serialize(ContainerRecord record) =>
        JsonSerializer.Serialize(record, StoreJsonContext.Default.ContainerRecord);
}

/// <summary>No container has that ID or name.</summary>
public sealed class ContainerNotFoundException(string idOrName)
    : KeyNotFoundException($"No such container: {idOrName}");

/// <summary>The request conflicts with the container's state or name.</summary>
public sealed class ContainerConflictException(string message) : InvalidOperationException(message);
