namespace DockPS.Engine.Images;

/// <summary>
/// Content-addressed blobs (manifests, configs, compressed layers) under
/// <c>&lt;data-root&gt;/blobs/sha256/&lt;hex&gt;</c>. A blob becomes visible only after its bytes were
/// hashed, matched the expected digest, reached the disk (fsync) and were renamed into place, so
/// a daemon killed mid-write leaves a temp file (cleared at the next start) and never a bad blob.
/// </summary>
public sealed class ContentStore(string blobRoot, string tempDirectory)
{
    private const int BufferSize = 1 << 20;

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
        var temp = Path.Combine(tempDirectory, "blob-" + Guid.NewGuid().ToString("n"));
        try
        {
            Digest actual;
            long size = 0;
            using (var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256))
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                    if (expectedSize is { } limit && size > limit) { throw new ContentMismatchException($"blob is larger than the {limit} bytes its descriptor declares"); }
                }
                file.Flush(flushToDisk: true);
                actual = Digest.FromHash(hash);
            }
            if (expected is { } want && want.Algorithm == Digest.Sha256 && want != actual)
            {
                throw new ContentMismatchException($"content digest {actual} does not match the expected {want}");
            }
            if (expectedSize is { } declared && declared != size)
            {
                throw new ContentMismatchException($"blob has {size} bytes where its descriptor declares {declared}");
            }
            var target = PathOf(actual);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: true); // same bytes if it already existed: content addressing
            return (actual, size);
        }
        finally
        {
            if (File.Exists(temp)) { File.Delete(temp); }
        }
    }

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
