using System.Buffers;
using System.Buffers.Binary;

namespace DockPS.Engine.Containers.Logs;

/// <summary>The stream a frame of Docker's multiplexed stream carries (the header's first byte).</summary>
public enum StdStreamType : byte
{
    /// <summary>Standard input (attach echoes it).</summary>
    Stdin = 0,

    /// <summary>Standard output.</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,

    /// <summary>The daemon's own error about the stream (moby's <c>Systemerr</c>), e.g. a read that failed midway.</summary>
    SystemError = 3,
}

/// <summary>
/// Docker's multiplexed stream format (<c>application/vnd.docker.multiplexed-stream</c>), used by
/// logs, attach and exec when the container has no TTY: each chunk is an 8-byte header —
/// <c>[type, 0, 0, 0, size as uint32 big-endian]</c> — followed by its bytes.
/// </summary>
public static class StdStreamFrame
{
    /// <summary>The header's length.</summary>
    public const int HeaderSize = 8;

    // Below this a frame is copied behind its header and written once: one small write, not two.
    private const int CopyLimit = 64 * 1024;

    /// <summary>Writes the header of a frame of <paramref name="length"/> bytes on <paramref name="type"/>.</summary>
    public static void WriteHeader(Span<byte> destination, StdStreamType type, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        destination[0] = (byte)type;
        destination[1] = destination[2] = destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)length);
    }

    /// <summary>Writes <paramref name="payload"/> as one frame on <paramref name="type"/>.</summary>
    public static async ValueTask WriteAsync(Stream output, StdStreamType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.Length > CopyLimit)
        {
            var header = new byte[HeaderSize];
            WriteHeader(header, type, payload.Length);
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            return;
        }
        var frame = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            WriteHeader(frame, type, payload.Length);
            payload.Span.CopyTo(frame.AsSpan(HeaderSize));
            await output.WriteAsync(frame.AsMemory(0, HeaderSize + payload.Length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
