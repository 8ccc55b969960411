using DockPS.Engine.Containers;
using DockPS.Engine.Events;
using DockPS.Engine.Host;
using DockPS.Engine.Images;
using DockPS.Engine.Runtime;
using DockPS.Engine.Snapshots;
using DockPS.Engine.Store;
using DockPS.Engine.Volumes;

namespace DockPS.Engine;

/// <summary>
/// The engine behind one daemon: it owns the data root (exclusively), the metadata store and the
/// event stream. Every capability (images, containers, volumes, networks) hangs off this object.
/// </summary>
public sealed class DockEngine : IDisposable
{
    private const string TempDirName = "tmp";

    private readonly DataRootLock _lock;
    private readonly Lazy<HostFacts> _host;
    private readonly Lazy<RuntimeCatalog> _runtimes;
    private EngineOptions _options;

    private DockEngine(EngineOptions options, DataRootLock dataLock, MetadataStore store)
    {
        _options = options;
        _lock = dataLock;
        Store = store;
        Id = store.GetOrAddMeta("engine-id", () => Guid.NewGuid().ToString());
        _host = new Lazy<HostFacts>(() => HostFacts.Probe());
        var temp = Path.Combine(options.DataRoot, TempDirName);
        Images = new ImageService(
            new ImageStore(store),
            new ContentStore(Path.Combine(options.DataRoot, "blobs"), temp),
            new SnapshotStore(Path.Combine(options.DataRoot, "snapshots"), temp),
            Events);
        Volumes = new VolumeService(new VolumeStore(store), Path.Combine(options.DataRoot, "volumes"), temp, Events);
        Volumes.Recover();
        _runtimes = new Lazy<RuntimeCatalog>(() => RuntimeCatalog.Detect(Host, options.DefaultRuntime, options.Runtimes));
        Containers = new ContainerService(
            new ContainerStore(store),
            Images,
            new ContainerFiles(Path.Combine(options.DataRoot, "containers")),
            Events,
            () => _runtimes.Value,
            new ContainerPlatform(Host.Hostname, options.ExecRoot, Host.Cgroups.Version, options.ShimPath, Volumes));
        Containers.Recover();
    }

    /// <summary>
    /// Opens the engine on <see cref="EngineOptions.DataRoot"/>: creates the folders, takes the
    /// data-root lock, opens (and migrates) the metadata store, and clears temp files a killed
    /// daemon left behind.
    /// </summary>
    /// <exception cref="DataRootInUseException">Another daemon holds the data root.</exception>
    public static DockEngine Open(EngineOptions options)
    {
        CreatePrivateDirectory(options.DataRoot);
        var dataLock = DataRootLock.Acquire(options.DataRoot);
        try
        {
            CreatePrivateDirectory(options.ExecRoot);
            var temp = Path.Combine(options.DataRoot, TempDirName);
            if (Directory.Exists(temp)) { Directory.Delete(temp, recursive: true); }
            CreatePrivateDirectory(temp);
            return new DockEngine(options, dataLock, MetadataStore.Open(options.DataRoot));
        }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (File.Exists(path)) { throw new IOException($"{path} exists and is not a directory"); }
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>A stable identity for this data root, created on first start.</summary>
    public string Id { get; }

    /// <summary>The options in force (labels and debug change on reload).</summary>
    public EngineOptions Options => Volatile.Read(ref _options);

    /// <summary>The metadata database.</summary>
    public MetadataStore Store { get; }

    /// <summary>The event stream.</summary>
    public EventLog Events { get; } = new();

    /// <summary>Images: store, import, tag, remove, prune.</summary>
    public ImageService Images { get; }

    /// <summary>Volumes (local driver): create, inspect, list, remove, prune; mounting and filling for containers.</summary>
    public VolumeService Volumes { get; }

    /// <summary>Containers: create, run, stop, remove, exec.</summary>
    public ContainerService Containers { get; }

    /// <summary>The OCI runtimes and the default one, settled on first use.</summary>
    public RuntimeCatalog Runtimes => _runtimes.Value;

    /// <summary>Facts about the host, probed once on first use.</summary>
    public HostFacts Host => _host.Value;

    /// <summary>Scratch space on the data root's filesystem (for atomic write-then-rename).</summary>
    public string TempDirectory => Path.Combine(Options.DataRoot, TempDirName);

    /// <summary>
    /// Applies a reloaded configuration (labels, debug) and emits Docker's <c>daemon reload</c> event.
    /// Paths cannot change while running; a change to them is refused.
    /// </summary>
    public void Reload(EngineOptions reloaded)
    {
        var current = Options;
        if (reloaded.DataRoot != current.DataRoot || reloaded.ExecRoot != current.ExecRoot)
        {
            throw new InvalidOperationException("data-root and exec-root cannot change on reload; restart the daemon");
        }
        Volatile.Write(ref _options, reloaded);
        Events.Publish(EventTypes.Daemon, "reload", Id, new Dictionary<string, string>
        {
            ["name"] = Host.Hostname,
            ["labels"] = "[" + string.Join(" ", reloaded.Labels) + "]",
            ["debug"] = reloaded.Debug ? "true" : "false",
        });
    }

    /// <summary>Lets blob commits still running finish, closes the store and releases the data root.</summary>
    public void Dispose()
    {
        Images.BlobsSettledAsync().Wait(TimeSpan.FromMinutes(1));
        Store.Dispose();
        _lock.Dispose();
    }
}
