using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// Reads the body of GET /containers/{id}/logs?timestamps=1 into lines. Without a terminal the body
/// is Docker's multiplexed stream: frames of an 8-byte header (stream: 1 stdout, 2 stderr; three
/// zero bytes; the length, big-endian) and one log record each, "time text". A record without a
/// line break is a piece of a long line (Docker cuts at 16 KiB) and joins the next record of its
/// stream. With a terminal the body is the records back to back, one stream, no frames.
/// </summary>
internal static class LogReader
{
    private const int HeaderSize = 8;

    /// <summary>The lines of <paramref name="body"/>, as they arrive.</summary>
    public static async IAsyncEnumerable<DockContainerLogLine> ReadAsync(Stream body, bool multiplexed, string container,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pieces = multiplexed ? FramesAsync(body, cancellationToken) : RawAsync(body, cancellationToken);
        var stdout = new PendingLine();
        var stderr = new PendingLine();
        await foreach (var (isError, record) in pieces.ConfigureAwait(false))
        {
            var pending = isError ? stderr : stdout;
            var text = record.AsMemory();
            // Every record starts with its time; a line's time is its first piece's.
            var space = Array.IndexOf(record, (byte)' ');
            if (space is > 0 and <= 40 && TryParseTime(Encoding.ASCII.GetString(record, 0, space), out var time))
            {
                text = text[(space + 1)..];
                if (!pending.Started) { pending.Time = time; }
            }
            pending.Started = true;
            var complete = text.Length > 0 && text.Span[^1] == '\n';
            pending.Bytes.Add(complete ? text.Span[..^1] : text.Span);
            if (complete) { yield return pending.Finish(container, isError); }
        }
        if (stdout.Started) { yield return stdout.Finish(container, false); }
        if (stderr.Started) { yield return stderr.Finish(container, true); }
    }

    private sealed class PendingLine
    {
        public LineBuffer Bytes { get; } = new();
        public bool Started { get; set; }
        public DateTime Time { get; set; }

        public DockContainerLogLine Finish(string container, bool isError)
        {
            Started = false;
            return new DockContainerLogLine { Container = container, Stream = isError ? "Stderr" : "Stdout", Time = Time, Text = Bytes.Take() };
        }
    }

    private static async IAsyncEnumerable<(bool Stderr, byte[] Record)> FramesAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        while (await FillAsync(body, header, cancellationToken).ConfigureAwait(false))
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var record = new byte[length];
            if (!await FillAsync(body, record, cancellationToken).ConfigureAwait(false) && length > 0)
            {
                throw new IOException("the daemon's log stream ended inside a frame");
            }
            yield return (header[0] == 2, record);
        }
    }

    // A terminal's records carry no frame; each holds one line (the daemon cuts them at line
    // breaks), so lines are what the stream is cut into here.
    private static async IAsyncEnumerable<(bool Stderr, byte[] Record)> RawAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        var line = new List<byte>();
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                line.Add(buffer[i]);
                if (buffer[i] == '\n')
                {
                    yield return (false, line.ToArray());
                    line.Clear();
                }
            }
        }
        if (line.Count > 0) { yield return (false, line.ToArray()); }
    }

    // Fills the buffer; false when the stream ends before the first byte.
    private static async Task<bool> FillAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (filled == 0) { return false; }
                throw new IOException("the daemon's log stream ended inside a frame");
            }
            filled += read;
        }
        return true;
    }

    /// <summary>
    /// Parses an RFC 3339 time with up to nine fraction digits (Docker's timestamps; .NET's parser
    /// takes seven) into local time.
    /// </summary>
    public static bool TryParseTime(string text, out DateTime local)
    {
        local = default;
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) { end++; }
            // Ticks are tenths of a microsecond: digits past the seventh cannot be kept.
            if (end - dot - 1 > 7) { text = text[..(dot + 8)] + text[end..]; }
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) { return false; }
        local = time.LocalDateTime;
        return true;
    }

    /// <summary>A time as the logs endpoint takes it: Unix seconds with a nine-digit fraction.</summary>
    public static string ToUnixText(DateTime time)
    {
        // A time without a kind is taken as local, as PowerShell's [datetime] casts mean it.
        var ticks = time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0) { seconds--; rest += TimeSpan.TicksPerSecond; }
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }
}
