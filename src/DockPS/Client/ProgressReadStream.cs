namespace DockPS.Client;

/// <summary>A read-only stream that counts what was read, so an upload can show its progress.</summary>
/// <param name="inner">The content.</param>
/// <param name="length">Its length when it cannot tell (a stream produced on the fly); 0 when unknown.</param>
public sealed class ProgressReadStream(Stream inner, long length = 0) : Stream
{
    private long _read;

    // Taken now: the HTTP client disposes the stream when the upload ends, before the last progress poll.
    private readonly long _length = inner.CanSeek ? inner.Length : length;

    /// <summary>Bytes read so far (safe to read from another thread).</summary>
    public long BytesRead => Interlocked.Read(ref _read);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    // A zero-length read answers 0 here: the HTTP client's chunked response stream takes one for the end of the stream and throws.
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.IsEmpty ? 0 : Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        Interlocked.Add(ref _read, n);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); }
        base.Dispose(disposing);
    }
}
