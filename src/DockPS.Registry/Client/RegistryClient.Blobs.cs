using System.Net;
using System.Net.Http.Headers;

namespace DockPS.Registry.Client;

public sealed partial class RegistryClient
{
    /// <summary>The size of a blob in the repository, or null when the registry does not have it there.</summary>
    public Task<long?> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ContentDigest.Validate(digest, nameof(digest));
        return HeadBlobAsync(repository, digest, [Pull(repository)], cancellationToken);
    }

    // Pushes ask with their own (push) scope, so a HEAD before an upload reuses the push token.
    private async Task<long?> HeadBlobAsync(string repository, string digest, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Api($"v2/{repository}/blobs/{digest}")), scopes, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) { return null; }
        await EnsureStatusAsync(response, ct, HttpStatusCode.OK);
        return response.Content.Headers.ContentLength
            ?? throw new RegistryException($"registry {Registry}: HEAD of blob {digest} in {repository} has no Content-Length", response.StatusCode);
    }

    /// <summary>
    /// Opens a blob for reading from <paramref name="offset"/> (a Range request, to resume an
    /// interrupted pull), following redirects to storage backends. The caller verifies the digest
    /// while consuming (<see cref="ContentDigest.CreateHash"/>) and disposes the stream. If the
    /// connection drops, reading throws <see cref="BlobTransferInterruptedException"/> (an
    /// <see cref="IOException"/>) with the offset to resume from.
    /// </summary>
    /// <exception cref="RegistryNotFoundException">No such blob in the repository.</exception>
    public async Task<RegistryBlobStream> OpenBlobAsync(string repository, string digest, long offset = 0, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ContentDigest.Validate(digest, nameof(digest));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Api($"v2/{repository}/blobs/{digest}"));
            if (offset > 0) { request.Headers.Range = new RangeHeaderValue(offset, null); }
            return request;
        }, [Pull(repository)], cancellationToken);
        try
        {
            if (HeaderValue(response, "Docker-Content-Digest") is { } reported && ContentDigest.IsValid(reported)
                && reported.StartsWith(digest[..(digest.IndexOf(':') + 1)], StringComparison.Ordinal) && reported != digest)
            {
                throw new DigestMismatchException($"registry {Registry} answered a request for blob {digest} with blob {reported}", digest, reported);
            }
            var length = response.Content.Headers.ContentLength;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != offset)
                    {
                        throw new RegistryException($"registry {Registry}: asked for blob {digest} from byte {offset}, got range '{range}'", response.StatusCode);
                    }
                    return new RegistryBlobStream(response, await response.Content.ReadAsStreamAsync(cancellationToken), digest, offset, length, range.Length);

                case HttpStatusCode.OK:
                    // The server ignored the Range header and sends the whole blob: skip to the offset here.
                    var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    var stream = new RegistryBlobStream(response, body, digest, 0, length, length);
                    if (offset > 0) { await stream.SkipAsync(offset, cancellationToken); }
                    return stream;

                case HttpStatusCode.RequestedRangeNotSatisfiable when response.Content.Headers.ContentRange?.Length == offset:
                    // Resuming a blob that was already complete: nothing left to read.
                    return new RegistryBlobStream(response, Stream.Null, digest, offset, 0, offset);

                default:
                    throw await ErrorAsync(response, cancellationToken);
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

/// <summary>
/// A blob being downloaded, from <see cref="Offset"/> on. Dispose it to release the connection.
/// Errors while reading come as <see cref="BlobTransferInterruptedException"/> carrying the offset
/// reached, so the caller can resume with another <see cref="RegistryClient.OpenBlobAsync"/>.
/// </summary>
public sealed class RegistryBlobStream : Stream
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private long _read;

    internal RegistryBlobStream(HttpResponseMessage response, Stream body, string digest, long offset, long? contentLength, long? blobLength)
    {
        _response = response;
        _body = body;
        Digest = digest;
        Offset = offset;
        ContentLength = contentLength;
        BlobLength = blobLength;
    }

    /// <summary>The blob's digest.</summary>
    public string Digest { get; }

    /// <summary>The blob offset of this stream's first byte.</summary>
    public long Offset { get; private set; }

    /// <summary>How many bytes this stream delivers (the response's Content-Length from <see cref="Offset"/>), when known.</summary>
    public long? ContentLength { get; private set; }

    /// <summary>The whole blob's size, when the response says it.</summary>
    public long? BlobLength { get; }

    /// <summary>The blob offset after the last byte delivered: where to resume if reading fails.</summary>
    public long BlobPosition => Offset + _read;

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => ContentLength ?? throw new NotSupportedException("the registry did not send a Content-Length");
    /// <inheritdoc />
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int n;
        try { n = _body.Read(buffer); }
        catch (Exception e) when (e is IOException or HttpRequestException) { throw Interrupted(e); }
        return Count(n, buffer.Length);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try { n = await _body.ReadAsync(buffer, cancellationToken); }
        catch (Exception e) when (e is IOException or HttpRequestException) { throw Interrupted(e); }
        return Count(n, buffer.Length);
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes, moving <see cref="Offset"/> past them.</summary>
    internal async Task SkipAsync(long count, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (_read < count)
        {
            int n;
            try { n = await ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - _read)), ct); }
            catch (BlobTransferInterruptedException e)
            {
                // Nothing was delivered yet: the caller resumes where it asked to start.
                throw new BlobTransferInterruptedException(e.Message, Digest, count, e.InnerException);
            }
            if (n == 0) { throw new RegistryException($"blob {Digest} ended at byte {_read}, before the requested offset {count}"); }
        }
        Offset += _read;
        ContentLength -= _read;
        _read = 0;
    }

    private int Count(int n, int requested)
    {
        // A body that ends early without a transport error (a proxy closing cleanly) is as
        // incomplete as a reset connection.
        if (n == 0 && requested > 0 && ContentLength is { } length && _read < length)
        {
            throw Interrupted(null);
        }
        _read += n;
        return n;
    }

    private BlobTransferInterruptedException Interrupted(Exception? inner) => new(
        $"download of blob {Digest} stopped at byte {BlobPosition}{(BlobLength is { } total ? $" of {total}" : "")}" +
        (inner is null ? ": the connection closed early" : $": {inner.Message}"), Digest, BlobPosition, inner);

    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
