using System.Security.Cryptography;

namespace DockPS.Engine.Images;

/// <summary>
/// A blob being written to the content store's temp directory, hashed as it goes. It can take its
/// content in several pieces; <see cref="Length"/> is always what reached the file, so a piece
/// cut off by a failed read leaves the writer ready to go on from there. <see cref="CommitAsync"/>
/// makes the blob visible only once its bytes are on disk and match what was expected.
/// </summary>
public sealed class BlobWriter : IAsyncDisposable
{
    private readonly string _temp;
    private readonly Digest? _expected;
    private readonly long? _expectedSize;
    private readonly Func<Digest, string> _pathOf;
    private readonly IncrementalHash? _hash;
    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[ContentStore.BufferSize];
    private bool _committed;
    private Digest? _digest;

    internal BlobWriter(string temp, Digest? expected, long? expectedSize, bool hashing, Func<Digest, string> pathOf)
    {
        (_temp, _expected, _expectedSize, _pathOf) = (temp, expected, expectedSize, pathOf);
        if (!hashing && expected is null) { throw new ArgumentException("a blob that is not hashed needs the digest another check vouches for", nameof(hashing)); }
        _hash = hashing ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, ContentStore.BufferSize);
    }

    /// <summary>Bytes written so far: where a resumed transfer picks up.</summary>
    public long Length { get; private set; }

    /// <summary>Appends everything <paramref name="content"/> yields.</summary>
    /// <exception cref="ContentMismatchException">More bytes than the expected size.</exception>
    public async Task AppendAsync(Stream content, CancellationToken cancellationToken)
    {
        int read;
        while ((read = await content.ReadAsync(_buffer, cancellationToken)) > 0) { await WriteAsync(_buffer.AsMemory(0, read), cancellationToken); }
    }

    /// <summary>Appends <paramref name="data"/>.</summary>
    /// <exception cref="ContentMismatchException">More bytes than the expected size.</exception>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_expectedSize is { } limit && Length + data.Length > limit)
        {
            throw new ContentMismatchException($"blob is larger than the {limit} bytes its descriptor declares");
        }
        await _file.WriteAsync(data, cancellationToken);
        _hash?.AppendData(data.Span);
        Length += data.Length;
    }

    /// <summary>
    /// Checks the content is complete and matches the expected digest and size, without waiting
    /// for the disk: a wrong blob is refused at once, the durable commit may follow later.
    /// </summary>
    /// <returns>The blob's digest.</returns>
    /// <exception cref="ContentMismatchException">The content is not what the digest or size promised.</exception>
    public Digest Verify()
    {
        // Unhashed, the content is vouched for by the caller (a plain tar whose digest the unpack checks).
        _digest ??= _hash is null ? _expected!.Value : Digest.FromHash(_hash);
        if (_expected is { } want && want.Algorithm == Digest.Sha256 && want != _digest)
        {
            throw new ContentMismatchException($"content digest {_digest} does not match the expected {want}");
        }
        if (_expectedSize is { } declared && declared != Length)
        {
            throw new ContentMismatchException($"blob has {Length} bytes where its descriptor declares {declared}");
        }
        return _digest.Value;
    }

    /// <summary>Verifies, flushes to disk (fsync), and renames the blob into place.</summary>
    /// <returns>The blob's digest and size.</returns>
    /// <exception cref="ContentMismatchException">The content is not what the digest or size promised.</exception>
    public async Task<(Digest Digest, long Size)> CommitAsync(CancellationToken cancellationToken)
    {
        var digest = Verify();
        await _file.FlushAsync(cancellationToken);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync();
        var target = _pathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(_temp, target, overwrite: true); // same bytes if it already existed: content addressing
        _committed = true;
        return (digest, Length);
    }

    /// <summary>Closes the file; an uncommitted blob's temp file is removed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        _hash?.Dispose();
        if (!_committed) { File.Delete(_temp); }
    }
}
