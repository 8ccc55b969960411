using System.Security.Cryptography;
using DockPS.Engine.Events;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;
using DockPS.Engine.Runtime;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Containers;

/// <summary>
/// Containers: create from an image, run through the OCI runtime under a monitor, stop, remove,
/// list. Per-container operations are serialized by the container's own gate; different
/// containers never wait for each other.
/// </summary>
public sealed partial class ContainerService
{
    private readonly ContainerStore _store;
    private readonly ImageService _images;
    private readonly ContainerFiles _files;
    private readonly EventLog _events;
    private readonly Func<RuntimeCatalog> _runtimes;
    private readonly ContainerPlatform _platform;

    /// <summary>Wires the service to the engine's stores.</summary>
    public ContainerService(ContainerStore store, ImageService images, ContainerFiles files, EventLog events,
        Func<RuntimeCatalog> runtimes, ContainerPlatform platform)
    {
        _store = store;
        _images = images;
        _files = files;
        _events = events;
        _runtimes = runtimes;
        _platform = platform;
        platform.Volumes.Users = store;
        images.Users = store;
    }

    /// <summary>The stored containers.</summary>
    public ContainerStore Store => _store;

    /// <summary>The container's files on disk.</summary>
    public ContainerFiles Files => _files;

    /// <summary>A container by ID, name or unique ID prefix.</summary>
    /// <exception cref="ContainerNotFoundException">None matches.</exception>
    public ContainerRecord Find(string idOrName) => _store.Find(idOrName);

    /// <summary>
    /// Containers matching <paramref name="filters"/> (<c>id</c>, <c>name</c>, <c>label</c>,
    /// <c>status</c>, <c>ancestor</c>, <c>exited</c>, <c>volume</c>, <c>before</c>, <c>since</c>),
    /// running ones only unless <paramref name="all"/>, newest first, at most <paramref name="limit"/>.
    /// </summary>
    public IReadOnlyList<ContainerRecord> List(bool all, int? limit, FilterSet filters) =>
        ContainerFilters.Apply(_store.All(), all, limit, filters, _images);

    /// <summary>
    /// Creates a container from <paramref name="config"/>: the image must be present, the name free
    /// and valid; the image's defaults are merged as Docker merges them.
    /// </summary>
    /// <exception cref="ImageNotFoundException">The image is not here.</exception>
    /// <exception cref="ContainerConflictException">The name is taken.</exception>
    /// <exception cref="ArgumentException">Invalid name, command, mount, runtime or option.</exception>
    public async Task<ContainerRecord> CreateAsync(string? name, ContainerConfig config, CancellationToken cancellationToken)
    {
        var given = string.IsNullOrEmpty(name) ? null : ContainerNames.Validate(name);
        if (given is not null && _store.NameTaken(given))
        {
            throw new ContainerConflictException(
                $"Conflict. The container name \"/{given}\" is already in use by container \"{_store.Find(given).Id}\". " +
                "You have to remove (or rename) that container to be able to reuse that name.");
        }
        var image = _images.Find(config.Image);
        var defaults = image.Config.Config;
        var host = config.Host with { NetworkMode = NetworkModes.Normalize(config.Host.NetworkMode) };
        config = config with { Host = host };
        var (runtimeName, _) = _runtimes().Resolve(host.Runtime);
        LogOptions.Validate(host.Log);

        var argv = ProcessDefaults.Command(config, defaults);
        var workingDir = ProcessDefaults.WorkingDir(config, defaults);
        var stopSignal = config.StopSignal ?? defaults.StopSignal ?? "SIGTERM";
        Signals.Parse(stopSignal);
        var id = NewId();
        var mounts = await MountSpecs.ResolveAsync(config, defaults, _platform.Volumes, cancellationToken);
        var record = new ContainerRecord
        {
            Id = id,
            Name = given ?? ContainerNames.Generate(_store.NameTaken),
            Created = DateTimeOffset.UtcNow,
            Config = config,
            ImageId = image.Id.ToString(),
            Path = argv[0],
            Args = argv.Skip(1).ToList(),
            Env = ProcessDefaults.Env(config, defaults),
            WorkingDir = workingDir,
            User = config.User ?? defaults.User ?? "",
            Labels = ProcessDefaults.Labels(config, defaults),
            StopSignal = stopSignal,
            Runtime = runtimeName,
            Mounts = mounts,
            Hostname = NetworkModes.IsHost(host.NetworkMode) ? _platform.HostName
                : string.IsNullOrEmpty(config.Hostname) ? id[..12] : config.Hostname,
        };
        _files.Create(id);
        try
        {
            _store.Add(record);
        }
        catch
        {
            _files.Delete(id);
            throw;
        }
        Publish(record, "create");
        return record;
    }

    /// <summary>
    /// Removes a container: a running one only with <paramref name="force"/> (it is killed first);
    /// with <paramref name="removeVolumes"/> its anonymous volumes go too.
    /// </summary>
    /// <exception cref="ContainerConflictException">It runs and <paramref name="force"/> is not set.</exception>
    public async Task RemoveAsync(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var container = _store.Find(idOrName);
        var live = Live(container.Id);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            container = _store.Get(container.Id) ?? throw new ContainerNotFoundException(idOrName);
            if (container.State.Running)
            {
                if (!force)
                {
                    throw new ContainerConflictException(
                        $"cannot remove container \"/{container.Name}\": container is running: stop the container before removing or force remove");
                }
                await KillAndWaitLockedAsync(container, live, cancellationToken);
                // With the gate let go, its own --rm may have removed it, or a start run it again.
                container = _store.Get(container.Id);
                if (container is null) { return; }
                if (container.State.Running) { throw new ContainerConflictException($"cannot remove container \"/{container.Name}\": it was started again"); }
            }
            RemoveLocked(container, removeVolumes);
        }
        finally { live.Gate.Release(); }
    }

    private void RemoveLocked(ContainerRecord container, bool removeVolumes)
    {
        _store.Update(container with { State = container.State with { Status = ContainerStatus.Removing } }, durable: false);
        // Between the exit and its own end the monitor still has the runtime delete the container,
        // which writes in the monitor's folder: that folder then goes with the monitor (MonitorAsync).
        // The container's own folder is done with at the exit: its log is closed before the exit is told.
        var monitorGone = !_live.TryGetValue(container.Id, out var live) || live.MonitorDone.IsCompleted;
        try
        {
            _files.Delete(container.Id);
            if (monitorGone) { _platform.Runtime.DeleteState(container.Id); }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As Docker: a container whose files could not all go is dead, and a later remove tries again.
            var reason = $"cannot remove container {container.ShortId}: {e.Message}";
            _store.Update(container with { State = container.State with { Status = ContainerStatus.Dead, Error = reason } }, durable: false);
            throw new IOException(reason, e);
        }
        _store.Remove(container.Id, durable: false);
        ForgetLive(container);
        ForgetExecs(container.Id);
        if (removeVolumes)
        {
            foreach (var mount in container.Mounts.Where(m => m.Type == "volume" && m.Anonymous && m.Name is not null))
            {
                // Another container may mount it too (--volumes-from style reuse): then it stays.
                try { _platform.Volumes.RemoveAsync(mount.Name!, force: true, CancellationToken.None).GetAwaiter().GetResult(); }
                catch (VolumeInUseException) { }
            }
        }
        Publish(container, "destroy");
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private void Publish(ContainerRecord container, string action, IReadOnlyDictionary<string, string>? extra = null)
    {
        var attributes = new Dictionary<string, string>(container.Labels, StringComparer.Ordinal)
        {
            ["image"] = container.Config.Image,
            ["name"] = container.Name,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) { attributes[key] = value; }
        _events.Publish(EventTypes.Container, action, container.Id, attributes);
    }
}
