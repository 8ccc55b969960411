using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace DockPS.Engine.Layers;

/// <summary>The boilerplate of a forward-only, read-only stream; subclasses supply the two span reads.</summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);
}

/// <summary>Replays the bytes already read to sniff the compression, then continues with the source.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream source) : ReadOnlyStream
{
    private int _offset;

    public override int Read(Span<byte> buffer) =>
        _offset < prefixLength ? TakePrefix(buffer) : source.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _offset < prefixLength ? ValueTask.FromResult(TakePrefix(buffer.Span)) : source.ReadAsync(buffer, cancellationToken);

    private int TakePrefix(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, prefixLength - _offset);
        prefix.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }
}

/// <summary>
/// Passes reads through while hashing them: the blob digest, computed in the same pass as the
/// unpack. Without <paramref name="hashing"/> it only counts (the caller verified the blob).
/// </summary>
internal sealed class DigestingStream(Stream source, bool hashing = true) : ReadOnlyStream
{
    private readonly IncrementalHash? _hash = hashing ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>"sha256:&lt;hex&gt;" of the bytes read so far (null when not hashing).</summary>
    public string? Digest => _hash is null ? null : OciDigest.Format(_hash);

    public override int Read(Span<byte> buffer)
    {
        var count = source.Read(buffer);
        Append(buffer[..count]);
        return count;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var count = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..count]);
        return count;
    }

    /// <summary>Reads (and hashes) whatever is left; returns how many bytes that was.</summary>
    public async ValueTask<long> DrainAsync(byte[] scratch, CancellationToken cancellationToken)
    {
        long drained = 0;
        int count;
        while ((count = await ReadAsync(scratch, cancellationToken).ConfigureAwait(false)) > 0) { drained += count; }
        return drained;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        _hash?.AppendData(data);
        BytesRead += data.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _hash?.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Reads its source on another thread into a few large buffers. An unpack is two chains of
/// CPU work, download + blob hash + decompression and tar hash + parsing + writing; on the
/// two-core machines we run on, overlapping them is what takes a pull past 400 MiB/s.
/// Asynchronous reads only; dispose it before its source (disposal waits for the reader thread).
/// </summary>
internal sealed class ReadAheadStream : ReadOnlyStream
{
    private const int ChunkSize = 1024 * 1024, Depth = 3;

    private readonly Channel<(byte[] Buffer, int Length)> _filled = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(Depth) { SingleReader = true, SingleWriter = true });
    private readonly Channel<byte[]> _free = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private (byte[] Buffer, int Length) _current;
    private int _offset;
    private bool _stopped;

    public ReadAheadStream(Stream source)
    {
        for (var i = 0; i <= Depth; i++) { _free.Writer.TryWrite(ArrayPool<byte>.Shared.Rent(ChunkSize)); }
        _producer = Task.Run(() => ProduceAsync(source));
    }

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("ReadAheadStream is read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) { return 0; }
        if (_current.Buffer is null || _offset == _current.Length)
        {
            if (_current.Buffer is not null) { _free.Writer.TryWrite(_current.Buffer); }
            _current = default;
            _offset = 0;
            try { _current = await _filled.Reader.ReadAsync(cancellationToken).ConfigureAwait(false); }
            catch (ChannelClosedException e)
            {
                if (e.InnerException is { } failure) { ExceptionDispatchInfo.Throw(failure); }
                return 0;
            }
        }
        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.Buffer.AsSpan(_offset, count).CopyTo(buffer.Span);
        _offset += count;
        return count;
    }

    private async Task ProduceAsync(Stream source)
    {
        try
        {
            while (true)
            {
                var buffer = await _free.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var length = await source.ReadAtLeastAsync(buffer, ChunkSize, throwOnEndOfStream: false, _stop.Token).ConfigureAwait(false);
                if (length > 0) { await _filled.Writer.WriteAsync((buffer, length), _stop.Token).ConfigureAwait(false); }
                if (length < ChunkSize) { break; }
            }
            _filled.Writer.TryComplete();
        }
        catch (Exception e) { _filled.Writer.TryComplete(e); }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _stop.CancelAsync().ConfigureAwait(false);
            await _producer.ConfigureAwait(false);
        }
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The producer must be done with the source before the caller disposes it.
            if (!_stopped)
            {
                _stopped = true;
                _stop.Cancel();
                _producer.GetAwaiter().GetResult();
            }
            _stop.Dispose();
            while (_filled.Reader.TryRead(out var chunk)) { ArrayPool<byte>.Shared.Return(chunk.Buffer); }
            while (_free.Reader.TryRead(out var buffer)) { ArrayPool<byte>.Shared.Return(buffer); }
            if (_current.Buffer is not null) { ArrayPool<byte>.Shared.Return(_current.Buffer); }
            _current = default;
        }
        base.Dispose(disposing);
    }
}

/// <summary>OCI digest strings.</summary>
internal static class OciDigest
{
    /// <summary>"sha256:&lt;lowercase hex&gt;" of what the hash has seen so far.</summary>
    public static string Format(IncrementalHash hash)
    {
        Span<byte> value = stackalloc byte[32];
        hash.GetCurrentHash(value);
        return "sha256:" + Convert.ToHexStringLower(value);
    }
}
