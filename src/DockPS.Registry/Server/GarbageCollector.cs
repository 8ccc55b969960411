namespace DockPS.Registry.Server;

/// <summary>What one collection did.</summary>
public sealed record GarbageCollectionResult(int BlobsKept, int BlobsDeleted, long BytesFreed, int LinksRemoved, int UploadsPurged);

/// <summary>
/// Mark and sweep over a live store. Mark: every blob and child a stored manifest revision
/// references, and the revisions themselves. Sweep: content that is unmarked <em>and</em> has not
/// been touched for the grace period. The grace period is what keeps a blob that was uploaded
/// but whose manifest is not pushed yet; the store touches a blob whenever something makes it
/// referenced (commit, mount, manifest push), under <see cref="StoreLock"/> shared, and each
/// check-and-delete here holds it exclusive, so a manifest pushed during the sweep either finds
/// its blob gone (and is refused) or keeps it.
/// </summary>
public sealed class GarbageCollector
{
    private readonly RegistryStorage _storage;

    /// <summary>A collector for <paramref name="storage"/>.</summary>
    public GarbageCollector(RegistryStorage storage) => _storage = storage;

    /// <summary>
    /// Collects. <paramref name="grace"/>: how long unreferenced content is kept after it was last
    /// touched. <paramref name="uploadGrace"/>: how long an upload session may sit unused.
    /// </summary>
    public GarbageCollectionResult Collect(TimeSpan grace, TimeSpan uploadGrace, TextWriter? log = null)
    {
        var started = DateTime.UtcNow;
        var cutoff = started - grace;
        var marked = Mark();

        int kept = 0, deleted = 0;
        long freed = 0;
        var blobs = Path.Combine(_storage.Root, "blobs");
        foreach (var file in Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).ToList())
        {
            var hex = Path.GetFileName(file);
            var algorithm = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(file)))!;
            var digest = algorithm + ":" + hex;
            if (marked.Contains(digest)) { kept++; continue; }
            using (_storage.Lock.Exclusive())
            {
                var info = new FileInfo(file);
                if (!info.Exists || info.LastWriteTimeUtc >= cutoff) { kept++; continue; }
                freed += info.Length;
                info.Delete();
            }
            deleted++;
            log?.WriteLine($"deleted {digest}");
        }

        var links = RemoveDanglingLinks();
        var uploads = PurgeUploads(started - uploadGrace);
        return new GarbageCollectionResult(kept, deleted, freed, links, uploads);
    }

    private HashSet<string> Mark()
    {
        var marked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in RepositoriesWithManifests())
        {
            var folder = Path.Combine(_storage.RepositoryFolder(name), "_manifests");
            foreach (var revision in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var digest = Path.GetFileName(Path.GetDirectoryName(revision)) + ":" + Path.GetFileName(revision);
                if (!Client.ContentDigest.IsValid(digest)) { continue; }
                marked.Add(digest);
                if (_storage.FindManifest(name, digest) is not { } stored) { continue; }
                try
                {
                    var document = ManifestDocument.Parse(stored.Content, stored.MediaType);
                    marked.UnionWith(document.Blobs);
                    marked.UnionWith(document.ChildManifests);
                }
                catch (DistributionException)
                {
                    // Stored manifests were verified when pushed; one that no longer parses keeps
                    // only itself, and its blobs age out like any unreferenced blob.
                }
            }
        }
        return marked;
    }

    private IEnumerable<string> RepositoriesWithManifests()
    {
        var root = _storage.RepositoriesFolder;
        if (!Directory.Exists(root)) { yield break; }
        foreach (var manifests in Directory.EnumerateDirectories(root, "_manifests", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(root, Path.GetDirectoryName(manifests)!);
            if (RepositoryName.IsValid(name)) { yield return name; }
        }
    }

    /// <summary>Repository links to content that is gone, so the repository stops offering it.</summary>
    private int RemoveDanglingLinks()
    {
        var removed = 0;
        var root = _storage.RepositoriesFolder;
        if (!Directory.Exists(root)) { return 0; }
        foreach (var layers in Directory.EnumerateDirectories(root, "_layers", SearchOption.AllDirectories).ToList())
        {
            foreach (var link in Directory.EnumerateFiles(layers, "*", SearchOption.AllDirectories).ToList())
            {
                var digest = Path.GetFileName(Path.GetDirectoryName(link)) + ":" + Path.GetFileName(link);
                if (!Client.ContentDigest.IsValid(digest)) { continue; }
                using (_storage.Lock.Exclusive())
                {
                    if (File.Exists(_storage.BlobPath(digest))) { continue; }
                    File.Delete(link);
                }
                removed++;
            }
        }
        return removed;
    }

    private int PurgeUploads(DateTime cutoff)
    {
        var purged = 0;
        foreach (var folder in Directory.EnumerateDirectories(_storage.UploadsFolder))
        {
            var data = new FileInfo(Path.Combine(folder, "data"));
            var lastUsed = data.Exists ? data.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(folder);
            if (lastUsed >= cutoff) { continue; }
            Directory.Delete(folder, recursive: true);
            purged++;
        }
        foreach (var temp in Directory.EnumerateFiles(_storage.TempFolder))
        {
            if (File.GetLastWriteTimeUtc(temp) < cutoff) { File.Delete(temp); }
        }
        return purged;
    }
}
