namespace DockPS.Registry.Server;

/// <summary>
/// The one lock between serving and garbage collection, an advisory file lock on
/// <c>&lt;root&gt;/gc.lock</c> so it holds across processes (<c>dockps-registry gc</c> runs beside a
/// serving registry). Requests that make a blob referenced (a manifest push, a mount, an upload
/// that finds its content already stored) take it shared while they touch the blob and commit;
/// the collector takes it exclusive for each check-and-delete. Either the request sees the blob
/// gone, or the collector sees it freshly touched: a blob can never be deleted under a manifest.
/// </summary>
public sealed class StoreLock
{
    private readonly string _path;

    /// <summary>A lock on the given store root.</summary>
    public StoreLock(string root) => _path = Path.Combine(root, "gc.lock");

    /// <summary>Waits for and takes the lock shared (many requests at once).</summary>
    public IDisposable Shared() => Take(FileShare.ReadWrite);

    /// <summary>Waits for and takes the lock exclusive (the collector).</summary>
    public IDisposable Exclusive() => Take(FileShare.None);

    private FileStream Take(FileShare share)
    {
        // .NET locks files with flock on Unix: FileShare.None takes LOCK_EX, any other share
        // LOCK_SH, both without blocking, so a held lock shows as an IOException to retry. Holders
        // keep it for microseconds (one rename, one delete), so a short sleep is enough.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
            }
            catch (IOException) when (attempt < 10_000 && File.Exists(_path))
            {
                Thread.Sleep(1);
            }
        }
    }
}
