using System.Net.Http.Headers;

namespace DockPS.Registry.Client;

/// <summary>
/// The bytes of a blob being pushed, handed out as request bodies for byte ranges. One source
/// stream is kept open and read sequentially across consecutive chunks; it is reopened at the
/// right offset only when a range does not continue where the last one stopped (a resend after a
/// failure or a 401 retry), so a caller's <c>open(offset)</c> runs once per push in the common case.
/// </summary>
internal sealed class UploadSource(Func<long, Stream> open, IProgress<long>? progress) : IDisposable
{
    // Large copy buffers: uploads are bound by syscalls per MiB, not by memory.
    private const int CopyBufferSize = 1 << 20;

    private readonly IProgress<long>? _progress = progress;
    private Stream? _stream;
    private long _position; // blob offset of _stream's next byte

    /// <summary>A request body with the blob's bytes [offset, offset + length).</summary>
    public HttpContent Slice(long offset, long length)
    {
        if (_stream is null || _position != offset)
        {
            Release();
            _stream = open(offset) ?? throw new InvalidOperationException("the blob source returned no stream");
            _position = offset;
        }
        var content = new StreamContent(new Window(this, offset, length), CopyBufferSize);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    /// <summary>Closes the source stream; the next slice reopens it.</summary>
    public void Release()
    {
        _stream?.Dispose();
        _stream = null;
    }

    public void Dispose() => Release();

    /// <summary>A read-only view of the next <c>length</c> bytes of the source; disposing it leaves the source open.</summary>
    private sealed class Window(UploadSource owner, long offset, long length) : Stream
    {
        private readonly long _length = length;
        private long _remaining = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_remaining == 0) { return 0; }
            int n;
            try { n = Source().Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]); }
            catch (Exception e) when (e is not OperationCanceledException) { throw SourceFailed(e); }
            return Advance(n);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_remaining == 0) { return 0; }
            int n;
            try { n = await Source().ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken); }
            catch (Exception e) when (e is not OperationCanceledException) { throw SourceFailed(e); }
            return Advance(n);
        }

        private Stream Source() =>
            owner._stream is { } stream && owner._position == offset + (_length - _remaining)
                ? stream
                : throw new InvalidOperationException("an upload body was read after a newer one replaced it");

        private int Advance(int n)
        {
            if (n == 0)
            {
                throw new BlobSourceException($"the blob to push ended at byte {owner._position}, {_remaining} bytes before the size it was pushed with", null);
            }
            _remaining -= n;
            owner._position += n;
            owner._progress?.Report(owner._position);
            return n;
        }

        private BlobSourceException SourceFailed(Exception e) =>
            e as BlobSourceException ?? new BlobSourceException($"reading the blob to push failed at byte {owner._position}: {e.Message}", e);

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
