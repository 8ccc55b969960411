using DockPS.Engine.Native;
using ZstdSharp;

namespace DockPS.Engine.Layers;

/// <summary>A layer blob opened for reading its tar: the compression found and the decompressed content.</summary>
/// <param name="Compression">What the first bytes of the blob said.</param>
/// <param name="Content">The tar bytes. Corrupt or truncated compressed data surfaces from its reads as <see cref="LayerException"/>.</param>
public readonly record struct OpenedLayer(CompressionKind Compression, Stream Content);

/// <summary>
/// Tells gzip, zstd and plain tar apart by their magic bytes (media types lie, and docker-save
/// archives carry no media types at all) and decompresses, on forward-only streams.
/// </summary>
public static class LayerCompression
{
    /// <summary>How many leading bytes <see cref="Detect(ReadOnlySpan{byte})"/> needs.</summary>
    public const int MagicLength = 4;

    /// <summary>The compression a blob starting with <paramref name="magic"/> has; anything unknown is taken as plain tar.</summary>
    public static CompressionKind Detect(ReadOnlySpan<byte> magic)
    {
        if (magic.Length >= 2 && magic[0] == 0x1F && magic[1] == 0x8B) { return CompressionKind.Gzip; }
        if (magic.Length >= 4 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD && magic[0] == 0x28)
        {
            return CompressionKind.Zstd;
        }
        // A zstd stream may open with a skippable frame (magic 0x184D2A5?, little-endian).
        if (magic.Length >= 4 && (magic[0] & 0xF0) == 0x50 && magic[1] == 0x2A && magic[2] == 0x4D && magic[3] == 0x18)
        {
            return CompressionKind.Zstd;
        }
        return CompressionKind.None;
    }

    /// <summary>
    /// Reads the magic bytes at the current position of <paramref name="blob"/> and detects its compression.
    /// The stream is left after what was read; rewind it before reading the content.
    /// </summary>
    public static CompressionKind Detect(Stream blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        Span<byte> magic = stackalloc byte[MagicLength];
        return Detect(magic[..blob.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false)]);
    }

    /// <summary>
    /// Reads the magic bytes of <paramref name="blob"/> (which need not seek) and returns a stream of its
    /// tar content. The caller keeps ownership of <paramref name="blob"/>; disposing the content does not close it.
    /// </summary>
    public static async Task<OpenedLayer> OpenAsync(Stream blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var magic = new byte[MagicLength];
        var length = await blob.ReadAtLeastAsync(magic, MagicLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var kind = Detect(magic.AsSpan(0, length));
        Stream replay = new PrefixedStream(magic, length, blob);
        Stream content = kind switch
        {
            CompressionKind.Gzip => new GzipLayerStream(replay),
            CompressionKind.Zstd => new ZstdLayerStream(replay),
            _ => replay,
        };
        return new OpenedLayer(kind, content);
    }
}

/// <summary>
/// gzip decompression that, unlike GZipStream, knows a member that stops short from one that ended:
/// a blob cut off anywhere (header, body or trailer) is a "truncated gzip stream". Members may
/// follow one another (RFC 1952; eStargz layers are built that way); other trailing bytes are an
/// error, as they are for Go's gzip reader that Docker and containerd use.
/// </summary>
internal sealed class GzipLayerStream(Stream source) : ReadOnlyStream
{
    private const int InputBufferSize = 128 * 1024;

    private readonly ZlibInflater _inflater = new();
    private readonly byte[] _input = new byte[InputBufferSize];
    private int _start, _end;
    private bool _sourceEnded, _memberEnded, _finished;

    public override int Read(Span<byte> buffer)
    {
        int written;
        while (!TryInflate(buffer, out written)) { Refill(source.Read(_input)); }
        return written;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int written;
        while (!TryInflate(buffer.Span, out written))
        {
            Refill(await source.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
        }
        return written;
    }

    // Only called once all buffered input is consumed (TryInflate answers false only then).
    private void Refill(int count)
    {
        if (count == 0) { _sourceEnded = true; }
        _start = 0;
        _end = count;
    }

    /// <summary>True with bytes (or 0 at a clean end) written; false when more input is needed.</summary>
    private bool TryInflate(Span<byte> output, out int written)
    {
        written = 0;
        if (output.IsEmpty || _finished) { return true; }
        while (true)
        {
            if (_start == _end)
            {
                if (!_sourceEnded) { return false; }
                if (!_memberEnded) { throw new LayerException("truncated gzip stream: the blob ends inside compressed data"); }
                _finished = true;
                return true;
            }
            if (_memberEnded)
            {
                if (_input[_start] != 0x1F) { throw new LayerException("corrupt gzip stream: unexpected data after the compressed data"); }
                _inflater.Reset();
                _memberEnded = false;
            }
            var result = _inflater.Inflate(_input.AsSpan(_start, _end - _start), output, out var consumed, out written);
            _start += consumed;
            switch (result)
            {
                case ZlibInflater.StreamEnd:
                    _memberEnded = true;
                    break;
                case ZlibInflater.Ok or ZlibInflater.BufferError when consumed > 0 || written > 0 || _start == _end:
                    break;
                case ZlibInflater.DataError:
                    throw new LayerException($"corrupt gzip stream: {_inflater.Message ?? "invalid data"}");
                default:
                    throw new LayerException($"corrupt gzip stream: inflate failed with zlib error {result}");
            }
            if (written > 0) { return true; }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _inflater.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>ZstdSharp's decompression, with its failures turned into the layer's own error.</summary>
internal sealed class ZstdLayerStream(Stream source) : ReadOnlyStream
{
    private readonly DecompressionStream _inner = new(source, bufferSize: 128 * 1024, checkEndOfStream: true, leaveOpen: true);

    public override int Read(Span<byte> buffer)
    {
        try { return _inner.Read(buffer); }
        catch (Exception e) when (Translate(e) is { } layerError) { throw layerError; }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try { return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (Translate(e) is { } layerError) { throw layerError; }
    }

    private static LayerException? Translate(Exception e) => e switch
    {
        EndOfStreamException => new LayerException("truncated zstd stream: the blob ends inside compressed data", e),
        ZstdException z => new LayerException($"corrupt zstd stream: {z.Message}", e),
        _ => null,
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _inner.Dispose(); }
        base.Dispose(disposing);
    }
}
