namespace DockPS.Engine.Images;

/// <summary>
/// Content-addressed blobs (manifests, configs, compressed layers) under
/// <c>&lt;data-root&gt;/blobs/sha256/&lt;hex&gt;</c>. A blob becomes visible only after its bytes were
/// hashed, matched the expected digest, reached the disk (fsync) and were renamed into place, so
/// a daemon killed mid-write leaves a temp file (cleared at the next start) and never a bad blob.
/// </summary>
public sealed class ContentStore(string blobRoot, string tempDirectory)
{
    internal const int BufferSize = 1 << 20;

    /// <summary>The path a blob lives at (whether or not it exists).</summary>
    public string PathOf(Digest digest) => Path.Combine(blobRoot, digest.Algorithm, digest.Hex);

    /// <summary>Whether the blob is present.</summary>
    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>The blob's size in bytes, or null when absent.</summary>
    public long? SizeOf(Digest digest) => new FileInfo(PathOf(digest)) is { Exists: true } f ? f.Length : null;

    /// <summary>Opens a blob for reading.</summary>
    /// <exception cref="BlobNotFoundException">It is not in the store.</exception>
    public FileStream OpenRead(Digest digest)
    {
        try { return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan); }
        catch (FileNotFoundException) { throw new BlobNotFoundException(digest); }
        catch (DirectoryNotFoundException) { throw new BlobNotFoundException(digest); }
    }

    /// <summary>Reads a small blob (a manifest or config) whole.</summary>
    public byte[] ReadAll(Digest digest)
    {
        using var stream = OpenRead(digest);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Writes <paramref name="content"/> as a blob. With <paramref name="expected"/>, the bytes must
    /// hash to it (and to <paramref name="expectedSize"/> when given) or nothing is stored.
    /// </summary>
    /// <returns>The blob's digest and size.</returns>
    /// <exception cref="ContentMismatchException">The content is not what the digest or size promised.</exception>
    public async Task<(Digest Digest, long Size)> WriteAsync(Stream content, Digest? expected, long? expectedSize, CancellationToken cancellationToken)
    {
        await using var writer = BeginWrite(expected, expectedSize);
        await writer.AppendAsync(content, cancellationToken);
        return await writer.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a blob that may arrive in several pieces (a download resumed after a dropped
    /// connection): append, then commit; disposing an uncommitted writer removes its temp file.
    /// Without <paramref name="hashing"/>, another check must vouch for <paramref name="expected"/>.
    /// </summary>
    public BlobWriter BeginWrite(Digest? expected, long? expectedSize, bool hashing = true) =>
        new(Path.Combine(tempDirectory, "blob-" + Guid.NewGuid().ToString("n")), expected, expectedSize, hashing, PathOf);

    /// <summary>Writes a small in-memory blob (manifest, config).</summary>
    public Task<(Digest Digest, long Size)> WriteAsync(byte[] content, CancellationToken cancellationToken) =>
        WriteAsync(new MemoryStream(content, writable: false), null, null, cancellationToken);

    /// <summary>Removes a blob; absent blobs are fine.</summary>
    public void Delete(Digest digest) => File.Delete(PathOf(digest));
}

/// <summary>A blob that the store does not hold.</summary>
public sealed class BlobNotFoundException(Digest digest) : FileNotFoundException($"blob {digest} not found")
{
    /// <summary>The missing blob.</summary>
    public Digest Digest { get; } = digest;
}

/// <summary>Content that does not match its digest or declared size.</summary>
public sealed class ContentMismatchException(string message) : IOException(message);
