using System.Runtime.InteropServices;

namespace DockPS.Engine.Containers.Logs;

/// <summary>The last date a log time had: a log's records share theirs for a day at a time.</summary>
internal readonly record struct DateCache(ulong Head, ushort Tail, long DayTicks);

/// <summary>
/// Log times as Docker writes and prints them. The json-file records carry Go's RFC 3339 with
/// nanoseconds, trailing zeros trimmed (<c>2026-11-29T12:00:00.1234Z</c>); <c>docker logs -t</c> and the
/// logs endpoint's <c>timestamps=1</c> print moby's <c>RFC3339NanoFixed</c> instead: always nine
/// fraction digits, zeros kept (<c>2026-11-29T12:00:00.123400000Z</c>), so the columns line up.
/// </summary>
public static class DockerTimestamp
{
    /// <summary>The longest formatted time: nine fraction digits and a numeric offset.</summary>
    public const int MaxLength = 35;

    /// <summary>
    /// Writes <paramref name="entry"/>'s time the way Docker prefixes a log line: RFC 3339, nine
    /// fraction digits, <c>Z</c> for UTC or the record's <c>±hh:mm</c>. Returns the length written.
    /// </summary>
    public static int Format(in LogEntry entry, Span<byte> destination) =>
        Format(entry.Time, entry.SubTickNanoseconds, destination);

    /// <summary>Writes <paramref name="time"/> (plus <paramref name="subTickNanoseconds"/>) as Docker prints log times.</summary>
    public static int Format(DateTimeOffset time, int subTickNanoseconds, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MaxLength);
        var local = time.DateTime;
        Digits(destination[..4], local.Year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), local.Month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), local.Day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), local.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), local.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), local.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 9), (int)(local.Ticks % TimeSpan.TicksPerSecond) * 100 + subTickNanoseconds);
        var offset = (int)time.Offset.TotalMinutes;
        if (offset == 0)
        {
            destination[29] = (byte)'Z';
            return 30;
        }
        destination[29] = offset < 0 ? (byte)'-' : (byte)'+';
        offset = Math.Abs(offset);
        Digits(destination.Slice(30, 2), offset / 60);
        destination[32] = (byte)':';
        Digits(destination.Slice(33, 2), offset % 60);
        return 35;
    }

    /// <summary>
    /// Reads an RFC 3339 time as Go's <c>time.Time</c> unmarshals one: <c>T</c>, 0 to 9 fraction digits
    /// (more are cut, as Go does), <c>Z</c> or <c>±hh:mm</c>. False for anything else, or a time outside
    /// what <see cref="DateTimeOffset"/> holds.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset time, out int subTickNanoseconds)
    {
        var cache = default(DateCache);
        return TryParse(text, ref cache, out time, out subTickNanoseconds);
    }

    /// <summary>As <see cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset, out int)"/>, skipping the date when it is the cached one.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> text, ref DateCache cache, out DateTimeOffset time, out int subTickNanoseconds)
    {
        time = default;
        subTickNanoseconds = 0;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') { return false; }
        var head = MemoryMarshal.Read<ulong>(text);
        var tail = MemoryMarshal.Read<ushort>(text[8..]);
        long dayTicks;
        if (cache.DayTicks > 0 && cache.Head == head && cache.Tail == tail)
        {
            dayTicks = cache.DayTicks;
        }
        else
        {
            int year = Number(text[..4]), month = Number(text.Slice(5, 2)), day = Number(text.Slice(8, 2));
            if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) { return false; }
            dayTicks = new DateOnly(year, month, day).DayNumber * TimeSpan.TicksPerDay;
            // Day 0 (0001-01-01) is never cached: DayTicks 0 means empty.
            cache = new DateCache(head, tail, dayTicks);
        }
        int hour = Number(text.Slice(11, 2)), minute = Number(text.Slice(14, 2)), second = Number(text.Slice(17, 2));
        if (hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59) { return false; }

        var i = 19;
        long nanos = 0;
        if (text[i] == '.')
        {
            var digits = 0;
            for (i++; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, digits++)
            {
                if (digits < 9) { nanos = nanos * 10 + (text[i] - '0'); }
            }
            if (digits == 0) { return false; }
            for (; digits < 9; digits++) { nanos *= 10; }
        }

        TimeSpan offset;
        var zone = text[i..];
        if (zone.Length == 1 && zone[0] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (zone.Length == 6 && zone[0] is (byte)'+' or (byte)'-' && zone[3] == ':'
                 && Number(zone.Slice(1, 2)) is var oh and >= 0 and <= 14 && Number(zone.Slice(4, 2)) is var om and >= 0 and <= 59
                 && oh * 60 + om <= 14 * 60)
        {
            offset = TimeSpan.FromMinutes((oh * 60 + om) * (zone[0] == '-' ? -1 : 1));
        }
        else
        {
            return false;
        }

        var localTicks = dayTicks + ((hour * 60L + minute) * 60 + second) * TimeSpan.TicksPerSecond + nanos / 100;
        var utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks) { return false; }
        time = new DateTimeOffset(localTicks, offset);
        subTickNanoseconds = (int)(nanos % 100);
        return true;
    }

    private static int Number(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit((char)c)) { return -1; }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var k = destination.Length - 1; k >= 0; k--)
        {
            destination[k] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
