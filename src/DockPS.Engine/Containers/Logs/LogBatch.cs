using System.Buffers;
using System.Text.Unicode;

namespace DockPS.Engine.Containers.Logs;

/// <summary>Where a record that could not be read was found, and why it was skipped.</summary>
/// <param name="File">The log file's name when it was opened (rotation may have renamed it since).</param>
/// <param name="Offset">The byte offset of the record's line in that file.</param>
/// <param name="Reason">Why the line is no record.</param>
public sealed record LogCorruption(string File, long Offset, string Reason);

/// <summary>
/// Turns complete lines into entries: parses, applies the time and stream filters, decodes what
/// passes. Decoded bytes go into shared chunks that entries slice and never hand back, so an entry
/// stays valid however long the caller keeps it while the reader allocates one chunk per many lines.
/// </summary>
internal sealed class LogBatch
{
    // Under the 85 000-byte large-object threshold: chunks die young and cheap in generation 0.
    private const int ChunkSize = 64 * 1024;

    private readonly bool _stdout, _stderr;
    private readonly DateTimeOffset? _until;
    private DateTimeOffset? _since;
    private DateCache _dates;
    private byte[] _chunk = [];
    private int _used;

    public LogBatch(LogReadOptions options)
    {
        _stdout = options.Stdout;
        _stderr = options.Stderr;
        _since = options.Since;
        _until = options.Until;
    }

    /// <summary>The entries made since the last <see cref="Clear"/>.</summary>
    public List<LogEntry> Entries { get; } = new(1024);

    /// <summary>True once a record after <see cref="LogReadOptions.Until"/> was seen: the read is over.</summary>
    public bool UntilReached { get; private set; }

    /// <summary>Lines skipped because they were no record.</summary>
    public long CorruptLines { get; private set; }

    /// <summary>The most recent skipped line.</summary>
    public LogCorruption? LastCorruption { get; private set; }

    /// <summary>Forgets the entries handed out (their memory stays theirs).</summary>
    public void Clear() => Entries.Clear();

    /// <summary>Counts a line that is not a record.</summary>
    public void Corrupt(string file, long offset, string reason)
    {
        CorruptLines++;
        LastCorruption = new LogCorruption(file, offset, reason);
    }

    /// <summary>
    /// Takes one complete line (without its newline). Returns false once a record after
    /// <see cref="LogReadOptions.Until"/> ends the read.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> line, string file, long offset)
    {
        if (!JsonLogLine.TryParse(line, out var fields))
        {
            Corrupt(file, offset, "not a json-file log record");
            return true;
        }
        if (!DockerTimestamp.TryParse(fields.Time, ref _dates, out var time, out var subTick))
        {
            Corrupt(file, offset, "unreadable time");
            return true;
        }

        // Time before stream, as moby does: a record of the stream not asked for still ends the
        // since filter or the read.
        if (_since is { } since)
        {
            if (time.UtcTicks < since.UtcTicks) { return true; }
            // Records after this one pass even if their clock stepped back (moby's rule).
            _since = null;
        }
        if (_until is { } until && After(time, subTick, until))
        {
            UntilReached = true;
            return false;
        }
        if (fields.Stream == LogStream.Stdout ? !_stdout : !_stderr) { return true; }

        // Time text and bytes go side by side into one reservation. Escapes only shrink, so valid
        // UTF-8 decodes in place; invalid bytes grow threefold into U+FFFD and take a detour.
        var timeLength = fields.Time.Length;
        if (Utf8.IsValid(fields.Log))
        {
            var memory = Reserve(timeLength + fields.Log.Length);
            fields.Time.CopyTo(memory.Span);
            var length = fields.Log.Length;
            if (!fields.LogEscaped) { fields.Log.CopyTo(memory.Span[timeLength..]); }
            else if ((length = JsonLogLine.Decode(fields.Log, memory.Span[timeLength..], validUtf8: true)) < 0) { return Malformed(memory.Length); }
            _used -= fields.Log.Length - length;
            Entries.Add(new LogEntry(fields.Stream, time, subTick, memory[..timeLength], memory.Slice(timeLength, length)));
            return true;
        }
        var scratch = ArrayPool<byte>.Shared.Rent(JsonLogLine.MaxDecodedLength(fields.Log));
        try
        {
            var length = JsonLogLine.Decode(fields.Log, scratch, validUtf8: false);
            if (length < 0) { return Malformed(0); }
            var memory = Reserve(timeLength + length);
            fields.Time.CopyTo(memory.Span);
            scratch.AsSpan(0, length).CopyTo(memory.Span[timeLength..]);
            Entries.Add(new LogEntry(fields.Stream, time, subTick, memory[..timeLength], memory[timeLength..]));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        bool Malformed(int reserved)
        {
            _used -= reserved;
            Corrupt(file, offset, "malformed escape in \"log\"");
            return true;
        }
    }

    // The bounds hold whole ticks; a record's nanoseconds below the tick put it after a bound on the same tick.
    private static bool After(DateTimeOffset time, int subTick, DateTimeOffset bound) =>
        time.UtcTicks > bound.UtcTicks || (time.UtcTicks == bound.UtcTicks && subTick > 0);

    private Memory<byte> Reserve(int length)
    {
        if (_chunk.Length - _used < length)
        {
            _chunk = new byte[Math.Max(ChunkSize, length)];
            _used = 0;
        }
        var memory = new Memory<byte>(_chunk, _used, length);
        _used += length;
        return memory;
    }
}
