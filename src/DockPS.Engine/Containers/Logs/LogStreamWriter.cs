namespace DockPS.Engine.Containers.Logs;

/// <summary>
/// Puts log entries on a stream as Docker's logs endpoint does: one frame of the multiplexed format
/// per record (or the bytes bare for a TTY container), prefixed with the record's time and a space
/// when timestamps are asked for (<see cref="DockerTimestamp"/>: always nine fraction digits).
/// Frames are gathered into one buffer and written together.
/// </summary>
public sealed class LogStreamWriter
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _output;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _used;

    /// <summary>Creates a writer onto <paramref name="output"/>.</summary>
    /// <param name="output">The response body, or any stream.</param>
    /// <param name="multiplexed">Frame each record with its stream (containers without a TTY); false writes the bytes bare.</param>
    /// <param name="timestamps">Prefix each record with its time (<c>timestamps=1</c>, <c>docker logs -t</c>).</param>
    public LogStreamWriter(Stream output, bool multiplexed, bool timestamps)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Multiplexed = multiplexed;
        Timestamps = timestamps;
    }

    /// <summary>True when each record is a frame of the multiplexed format.</summary>
    public bool Multiplexed { get; }

    /// <summary>True when each record starts with its time.</summary>
    public bool Timestamps { get; }

    /// <summary>Adds one record; it reaches the stream at the latest on <see cref="FlushAsync"/>.</summary>
    public async ValueTask WriteAsync(LogEntry entry, CancellationToken cancellationToken = default)
    {
        var header = Multiplexed ? StdStreamFrame.HeaderSize : 0;
        var prefix = Timestamps ? DockerTimestamp.MaxLength + 1 : 0;
        if (header + prefix + entry.Bytes.Length > BufferSize - _used) { await WriteBufferAsync(cancellationToken).ConfigureAwait(false); }
        if (header + prefix + entry.Bytes.Length <= BufferSize)
        {
            _used += Format(entry, _buffer.AsSpan(_used), header, copyBytes: true);
            return;
        }
        // Too large to gather: its header and time go first, then the bytes straight from the entry.
        var length = Format(entry, _buffer, header, copyBytes: false);
        await _output.WriteAsync(_buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(entry.Bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is gathered and flushes the stream.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes every entry of <paramref name="entries"/>, flushing whenever the next one is not ready at
    /// once: records read in bulk leave in large writes, a followed record leaves as soon as it is read.
    /// </summary>
    public async Task CopyAsync(IAsyncEnumerable<LogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var enumerator = entries.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                var next = enumerator.MoveNextAsync();
                if (!next.IsCompleted) { await FlushAsync(cancellationToken).ConfigureAwait(false); }
                if (!await next.ConfigureAwait(false)) { break; }
                await WriteAsync(enumerator.Current, cancellationToken).ConfigureAwait(false);
            }
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // Header, time and (when copyBytes) the bytes into destination; returns the length written.
    private int Format(in LogEntry entry, Span<byte> destination, int header, bool copyBytes)
    {
        var length = header;
        if (Timestamps)
        {
            length += DockerTimestamp.Format(entry, destination[length..]);
            destination[length++] = (byte)' ';
        }
        var payload = length - header + entry.Bytes.Length;
        if (Multiplexed) { StdStreamFrame.WriteHeader(destination, (StdStreamType)entry.Stream, payload); }
        if (!copyBytes) { return length; }
        entry.Bytes.Span.CopyTo(destination[length..]);
        return length + entry.Bytes.Length;
    }

    private async ValueTask WriteBufferAsync(CancellationToken cancellationToken)
    {
        if (_used == 0) { return; }
        await _output.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
        _used = 0;
    }
}
