namespace DockPS.Registry.Server;

/// <summary>A blob as stored: its file and size.</summary>
public sealed record StoredBlob(string Digest, string Path, long Size);

/// <summary>
/// The registry's filesystem store. Layout under the root:
/// <code>
/// blobs/&lt;alg&gt;/&lt;hex[0..2]&gt;/&lt;hex&gt;                 content, shared by every repository
/// repositories/&lt;name&gt;/_layers/&lt;alg&gt;/&lt;hex&gt;       the repository may serve this blob
/// repositories/&lt;name&gt;/_manifests/&lt;alg&gt;/&lt;hex&gt;    a manifest revision (file holds its media type)
/// repositories/&lt;name&gt;/_tags/&lt;tag&gt;                  a tag (file holds the manifest digest)
/// repositories/&lt;name&gt;/_referrers/&lt;alg&gt;/&lt;hex&gt;/&lt;alg&gt;-&lt;hex&gt;  a manifest whose subject is alg:hex
/// uploads/&lt;uuid&gt;/                                     upload sessions in progress
/// tmp/                                                   files being written, renamed into place
/// </code>
/// Content becomes visible only by rename after it was verified; links and tags are small files
/// replaced atomically. Blob content is never deleted here, only links: the garbage collector
/// removes content nothing references.
/// </summary>
public sealed partial class RegistryStorage
{
    /// <summary>Opens (creating when needed) a store at <paramref name="root"/>.</summary>
    public RegistryStorage(string root)
    {
        Root = Path.GetFullPath(root);
        TempFolder = Path.Combine(Root, "tmp");
        UploadsFolder = Path.Combine(Root, "uploads");
        Directory.CreateDirectory(TempFolder);
        Directory.CreateDirectory(UploadsFolder);
        Directory.CreateDirectory(Path.Combine(Root, "blobs"));
        Directory.CreateDirectory(RepositoriesFolder);
        Lock = new StoreLock(Root);
    }

    /// <summary>The store's root folder.</summary>
    public string Root { get; }

    /// <summary>The lock shared with the garbage collector.</summary>
    public StoreLock Lock { get; }

    internal string TempFolder { get; }

    internal string UploadsFolder { get; }

    internal string RepositoriesFolder => Path.Combine(Root, "repositories");

    /// <summary>Where a blob's content lives (whether or not it is there).</summary>
    public string BlobPath(string digest)
    {
        var (algorithm, hex) = Split(digest);
        return Path.Combine(Root, "blobs", algorithm, hex[..2], hex);
    }

    /// <summary>True when the repository has anything: a blob, a manifest or a tag.</summary>
    public bool RepositoryExists(string name)
    {
        RepositoryName.Validate(name);
        var folder = RepositoryFolder(name);
        return new[] { "_layers", "_manifests", "_tags" }.Any(sub => Directory.Exists(Path.Combine(folder, sub)));
    }

    /// <summary>The blob when <paramref name="name"/> links it and its content is present, else null.</summary>
    public StoredBlob? FindBlob(string name, string digest)
    {
        RequireDigest(digest);
        RepositoryName.Validate(name);
        if (!File.Exists(LayerLinkPath(name, digest))) { return null; }
        var info = new FileInfo(BlobPath(digest));
        return info.Exists ? new StoredBlob(digest, info.FullName, info.Length) : null;
    }

    /// <summary>
    /// Moves a verified temporary file into the content store (or drops it when the content is
    /// already there) and links it into <paramref name="name"/>.
    /// </summary>
    public StoredBlob CommitBlob(string name, string digest, string verifiedTempFile)
    {
        RepositoryName.Validate(name);
        var target = BlobPath(digest);
        using (Lock.Shared())
        {
            // Same digest, same bytes: when another push got there first, keep its file.
            if (!AtomicFile.MoveIntoPlace(verifiedTempFile, target, overwrite: false))
            {
                File.Delete(verifiedTempFile);
            }
            TouchAndLink(name, digest, target);
        }
        return new StoredBlob(digest, target, new FileInfo(target).Length);
    }

    /// <summary>
    /// Links a blob that <paramref name="from"/> serves into <paramref name="name"/> (a cross-repository
    /// mount). Returns null when <paramref name="from"/> does not have it.
    /// </summary>
    public StoredBlob? MountBlob(string name, string digest, string from)
    {
        RepositoryName.Validate(name);
        if (!RepositoryName.IsValid(from) || FindBlob(from, digest) is null) { return null; }
        using (Lock.Shared())
        {
            var target = BlobPath(digest);
            if (!File.Exists(target)) { return null; }
            TouchAndLink(name, digest, target);
            return new StoredBlob(digest, target, new FileInfo(target).Length);
        }
    }

    /// <summary>Removes a blob from a repository; false when the repository did not link it.</summary>
    public bool DeleteBlob(string name, string digest)
    {
        if (FindBlob(name, digest) is null) { return false; }
        File.Delete(LayerLinkPath(name, digest));
        return true;
    }

    /// <summary>
    /// Called under the shared lock: a fresh modification time tells the collector the blob is
    /// wanted (its grace period starts again), then the link makes it visible in the repository.
    /// </summary>
    private void TouchAndLink(string name, string digest, string contentPath)
    {
        File.SetLastWriteTimeUtc(contentPath, DateTime.UtcNow);
        var link = LayerLinkPath(name, digest);
        if (!File.Exists(link)) { AtomicFile.Write(TempFolder, link, []); }
    }

    internal string RepositoryFolder(string name) => Path.Combine(RepositoriesFolder, name);

    private string LayerLinkPath(string name, string digest)
    {
        var (algorithm, hex) = Split(digest);
        return Path.Combine(RepositoryFolder(name), "_layers", algorithm, hex);
    }

    /// <summary>Throws DIGEST_INVALID unless <paramref name="digest"/> is a sha256 or sha512 digest.</summary>
    public static void RequireDigest(string? digest)
    {
        if (!Client.ContentDigest.IsValid(digest))
        {
            throw new DistributionException(DistributionErrorCode.DigestInvalid,
                "invalid digest: expected sha256 or sha512 with lower-case hex", digest);
        }
    }

    internal static (string Algorithm, string Hex) Split(string digest)
    {
        RequireDigest(digest);
        var colon = digest.IndexOf(':');
        return (digest[..colon], digest[(colon + 1)..]);
    }
}
