using System.Buffers;

namespace DockPS.Engine.Containers.Logs;

/// <summary>What one read of a log file found.</summary>
internal enum BlockRead
{
    /// <summary>Nothing new (end of file, or the limit).</summary>
    Nothing,

    /// <summary>New bytes; their complete lines went to the batch.</summary>
    Data,

    /// <summary>The bytes before the read position changed: the file was cut and written anew.</summary>
    Truncated,
}

/// <summary>
/// Reads a log file forwards in large blocks and hands its complete lines to a <see cref="LogBatch"/>.
/// A line without its newline yet stays in the buffer until the rest arrives, so a record being
/// written is never emitted half; <see cref="Position"/> is always the start of a line.
/// </summary>
/// <remarks>
/// Every read also reads again the last bytes before where it continues and checks they are the ones
/// read before. A file truncated and refilled between two reads is caught that way even when it
/// grew past our position again with lines of the same length — a size check alone misses that —
/// because those bytes end the previous record with its nanosecond time.
/// </remarks>
internal sealed class LogBlockReader : IDisposable
{
    private const int InitialSize = 256 * 1024;

    // The bytes re-read before each read; the buffer keeps room for them in front of the data.
    private const int Guard = 64;

    // A Docker record holds at most 16 KiB of output, six times that escaped: a "line" this long
    // without a newline is damage, skipped to its end rather than buffered without bound.
    internal const int MaxLine = 4 * 1024 * 1024;

    private readonly byte[] _tail = new byte[Guard];
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _filled;
    private int _tailLength;
    private bool _skipping;
    private long _skipStart;

    /// <summary>The file being read.</summary>
    public OpenLogFile? File { get; private set; }

    /// <summary>The offset of the first byte not yet consumed as part of a complete line.</summary>
    public long Position { get; private set; }

    /// <summary>Starts reading <paramref name="file"/> at <paramref name="position"/>, the start of a line.</summary>
    public void Start(OpenLogFile file, long position)
    {
        File = file;
        Position = position;
        _filled = 0;
        _skipping = false;
        // Not known yet: the first read takes the bytes before the position as they are.
        _tailLength = -1;
    }

    /// <summary>
    /// Reads one block (not past <paramref name="limit"/>) and passes its complete lines to
    /// <paramref name="batch"/>.
    /// </summary>
    public async ValueTask<BlockRead> ReadAsync(long limit, LogBatch batch, CancellationToken cancellationToken)
    {
        var file = File ?? throw new InvalidOperationException("No file to read.");
        if (Guard + _filled == _buffer.Length) { MakeRoom(); }
        var offset = Position + _filled;
        var wanted = (int)Math.Min(_buffer.Length - Guard - _filled, limit - offset);
        if (wanted <= 0) { return BlockRead.Nothing; }

        var anchor = (int)Math.Min(Guard, offset);
        var at = Guard + _filled - anchor;
        var read = await RandomAccess.ReadAsync(file.Handle, _buffer.AsMemory(at, anchor + wanted), offset - anchor, cancellationToken).ConfigureAwait(false);
        if (read < anchor) { return BlockRead.Truncated; }
        if (_tailLength >= 0 && !_buffer.AsSpan(at, anchor).SequenceEqual(_tail.AsSpan(_tailLength - anchor, anchor)))
        {
            return BlockRead.Truncated;
        }
        var fresh = read - anchor;
        var known = Math.Min(Guard, read);
        _buffer.AsSpan(at + read - known, known).CopyTo(_tail);
        _tailLength = known;
        if (fresh == 0) { return BlockRead.Nothing; }

        _filled += fresh;
        Consume(batch, file.Name);
        return BlockRead.Data;
    }

    /// <summary>
    /// Ends the file: an incomplete line left at its end will never be completed (the writer moved
    /// on, stopped, or cut the file), so it is counted as corrupt and dropped.
    /// </summary>
    public void Finish(LogBatch batch)
    {
        if (File is null) { return; }
        if (_skipping) { batch.Corrupt(File.Name, _skipStart, "line too long"); }
        else if (_filled > 0) { batch.Corrupt(File.Name, Position, "incomplete line at the end of the file"); }
        Position += _filled;
        _filled = 0;
        _skipping = false;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Consume(LogBatch batch, string name)
    {
        var data = _buffer.AsSpan(Guard, _filled);
        var start = 0;
        if (_skipping)
        {
            var end = data.IndexOf((byte)'\n');
            if (end < 0)
            {
                Position += _filled;
                _filled = 0;
                return;
            }
            batch.Corrupt(name, _skipStart, "line too long");
            _skipping = false;
            start = end + 1;
        }
        while (start < data.Length)
        {
            var newline = data[start..].IndexOf((byte)'\n');
            if (newline < 0) { break; }
            var more = batch.Add(data.Slice(start, newline), name, Position + start);
            start += newline + 1;
            if (!more) { break; }
        }
        // Keep the incomplete line at the front; the next read appends the rest behind it.
        data[start..].CopyTo(_buffer.AsSpan(Guard));
        Position += start;
        _filled -= start;
    }

    // The buffer is full and holds no newline: grow it for a long record, or give the line up as damage.
    private void MakeRoom()
    {
        if (_buffer.Length < MaxLine)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxLine + Guard));
            _buffer.AsSpan(Guard, _filled).CopyTo(larger.AsSpan(Guard));
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            return;
        }
        _skipping = true;
        _skipStart = Position;
        Position += _filled;
        _filled = 0;
    }
}
