using System.Buffers.Binary;
using System.Net.Sockets;

namespace DockPS.Engine.Runtime;

/// <summary>Which of the process's streams a frame carries (the stream byte of Docker's multiplexed framing).</summary>
public enum ShimStreamKind : byte
{
    /// <summary>Standard output (with a tty, everything).</summary>
    Stdout = 1,
    /// <summary>Standard error.</summary>
    Stderr = 2,
}

/// <summary>One multiplexed frame of process output.</summary>
/// <param name="Stream">The stream it came from.</param>
/// <param name="Data">Its bytes.</param>
public readonly record struct ShimFrame(ShimStreamKind Stream, ReadOnlyMemory<byte> Data);

/// <summary>
/// An attached connection to a shim. Reading yields the raw frames (8-byte header
/// <c>[stream, 0, 0, 0, length big-endian]</c>, then the bytes), which non-tty attaches pass to
/// Docker clients as they are; <see cref="ReadFrameAsync"/> takes them apart. Writing feeds the
/// process's stdin; <see cref="CloseStdin"/> half-closes, which with --stdin-once closes it.
/// </summary>
public sealed class ShimAttachStream : Stream
{
    private const int HeaderSize = 8;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _header = new byte[HeaderSize];

    internal ShimAttachStream(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// The next frame, or null when the shim has closed the stream (the process ended and its
    /// output is drained, or the client fell too far behind and was dropped).
    /// </summary>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    public async ValueTask<ShimFrame?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var got = await ReadAtLeastAsync(_header, HeaderSize, throwOnEndOfStream: false, cancellationToken);
        if (got == 0) { return null; }
        if (got < HeaderSize) { throw new EndOfStreamException("attach stream ended inside a frame header"); }
        var kind = (ShimStreamKind)_header[0];
        if (kind is not (ShimStreamKind.Stdout or ShimStreamKind.Stderr)) { throw new InvalidDataException($"unknown stream {_header[0]} in an attach frame"); }
        var data = new byte[BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4))];
        await ReadExactlyAsync(data, cancellationToken);
        return new ShimFrame(kind, data);
    }

    /// <summary>Ends the input: the shim sees end of file (and with --stdin-once closes the process's stdin); output keeps coming.</summary>
    public void CloseStdin() => _socket.Shutdown(SocketShutdown.Send);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => _stream.Read(buffer, offset, count);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _stream.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _stream.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _stream.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _stream.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _stream.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override void Flush() { }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { _stream.Dispose(); }
        base.Dispose(disposing);
    }
}
