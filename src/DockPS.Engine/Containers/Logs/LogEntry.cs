namespace DockPS.Engine.Containers.Logs;

/// <summary>
/// Which of a container's output streams a log record came from. The values are the stream types
/// of Docker's multiplexed stream format, so an entry's stream is its frame type.
/// </summary>
public enum LogStream : byte
{
    /// <summary>The container's standard output.</summary>
    Stdout = 1,

    /// <summary>The container's standard error.</summary>
    Stderr = 2,
}

/// <summary>
/// One record of a json-file log: what the container wrote, on which stream, and when. A line longer
/// than the writer's record limit (16 KiB in Docker) arrives as several entries; all but the last
/// have <see cref="IsPartial"/> set, as Docker's logs endpoint passes them on unjoined.
/// </summary>
/// <remarks>
/// A struct, so reading a million records allocates no million objects; <see cref="Bytes"/> and
/// <see cref="TimeText"/> are slices of memory shared by many entries and owned by none, valid for as
/// long as the entry is kept.
/// </remarks>
public readonly struct LogEntry
{
    private readonly byte _subTickNanoseconds;

    /// <summary>Creates an entry.</summary>
    /// <param name="stream">The stream the bytes were written to.</param>
    /// <param name="time">When, to the 100 ns of a tick, in the offset the record was written with.</param>
    /// <param name="subTickNanoseconds">The nanoseconds below <paramref name="time"/>'s tick (0–99).</param>
    /// <param name="timeText">The record's time exactly as written (UTF-8, RFC 3339).</param>
    /// <param name="bytes">What the container wrote, decoded.</param>
    public LogEntry(LogStream stream, DateTimeOffset time, int subTickNanoseconds, ReadOnlyMemory<byte> timeText, ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subTickNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subTickNanoseconds, 99);
        Stream = stream;
        Time = time;
        _subTickNanoseconds = (byte)subTickNanoseconds;
        TimeText = timeText;
        Bytes = bytes;
    }

    /// <summary>The stream the bytes were written to.</summary>
    public LogStream Stream { get; }

    /// <summary>When the record was written, to the 100 ns a tick holds, with the record's own offset.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>
    /// The nanoseconds (0–99) that <see cref="Time"/>'s ticks cannot hold: with them the time is as
    /// exact as the nanosecond times Docker writes.
    /// </summary>
    public int SubTickNanoseconds => _subTickNanoseconds;

    /// <summary>The nanoseconds within the second (0–999 999 999), as Docker's timestamps print them.</summary>
    public int NanosecondOfSecond => (int)(Time.Ticks % TimeSpan.TicksPerSecond) * 100 + _subTickNanoseconds;

    /// <summary>The record's time exactly as written in the file (UTF-8), for an exact echo.</summary>
    public ReadOnlyMemory<byte> TimeText { get; }

    /// <summary>What the container wrote, JSON-decoded: the record's bytes, newline included when there was one.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True for a piece of a longer line: the bytes do not end with a newline.</summary>
    public bool IsPartial => Bytes.IsEmpty || Bytes.Span[^1] != (byte)'\n';
}
