using System.Buffers.Text;
using System.Text;

namespace DockPS.Engine.Layers;

/// <summary>The kinds of tar entry a layer may hold.</summary>
internal enum TarEntryKind { Regular, HardLink, Symlink, CharDevice, BlockDevice, Directory, Fifo }

/// <summary>One tar entry's metadata, with PAX and GNU extensions already applied. Reused between entries.</summary>
internal sealed class TarHeader
{
    public string Name = "";
    public string LinkName = "";
    public TarEntryKind Kind;
    public uint Mode;
    public long Uid, Gid;
    public long Size;
    public long ModifiedSeconds;
    public uint ModifiedNanoseconds;

    /// <summary>SCHILY.xattr.* records: raw bytes, since capability and ACL values are binary.</summary>
    public readonly List<KeyValuePair<string, byte[]>> Xattrs = [];
}

/// <summary>
/// The ustar header layout and the PAX record syntax (POSIX.1-2001 pax), shared by the layer
/// reader and writer. Numbers are octal, or GNU base-256 when the high bit of the field is set.
/// </summary>
internal static class TarFormat
{
    public const int BlockSize = 512;
    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, UidOffset = 108, GidOffset = 116, IdLength = 8;
    public const int SizeOffset = 124, MtimeOffset = 136, NumberLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeOffset = 156;
    public const int LinkNameOffset = 157;
    public const int MagicOffset = 257;
    public const int PrefixOffset = 345, PrefixLength = 155;

    /// <summary>Largest value an 8-byte octal field holds (7 digits and a NUL).</summary>
    public const long MaxId = 0x1FFFFF;

    /// <summary>Largest value a 12-byte octal field holds (11 digits and a NUL).</summary>
    public const long MaxNumber = 0x1FFFFFFFF;

    public static ReadOnlySpan<byte> PosixMagic => "ustar\u000000"u8;
    public static ReadOnlySpan<byte> GnuMagic => "ustar  \u0000"u8;
    public const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>Strict UTF-8: a name that is not valid UTF-8 cannot be a .NET path without changing it.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static long Padding(long size) => (BlockSize - (size % BlockSize)) % BlockSize;

    /// <summary>Bytes up to the first NUL.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return end < 0 ? field : field[..end];
    }

    /// <summary>Parses an octal (space/NUL padded) or base-256 number field.</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            // Base-256: the marker bit, then a big-endian two's complement number whose sign is
            // bit 6 of the first byte. No field we read may be negative.
            if ((field[0] & 0x40) != 0) { return false; }
            ulong number = (uint)(field[0] & 0x3F);
            foreach (var b in field[1..])
            {
                if (number >> 55 != 0) { return false; }
                number = (number << 8) | b;
            }
            if (number > long.MaxValue) { return false; }
            value = (long)number;
            return true;
        }
        field = field.Trim(" \0"u8);
        foreach (var b in field)
        {
            if (b is < (byte)'0' or > (byte)'7' || value > (long.MaxValue >> 3)) { return false; }
            value = (value << 3) | (uint)(b - '0');
        }
        return true;
    }

    /// <summary>Writes zero-padded octal digits and a terminating NUL, filling the field.</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        field[^1] = 0;
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
    }

    /// <summary>
    /// Checks the header checksum: the sum of all bytes with the checksum field read as spaces.
    /// Some old tars summed signed bytes, so either sum is accepted.
    /// </summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        if (!TryParseNumber(header.Slice(ChecksumOffset, ChecksumLength), out var recorded)) { return false; }
        long unsigned = 0, signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return recorded == unsigned || recorded == signed;
    }

    /// <summary>Fills the checksum field: six octal digits, NUL, space (what GNU tar and Go write).</summary>
    public static void WriteChecksum(Span<byte> header)
    {
        header.Slice(ChecksumOffset, ChecksumLength).Fill((byte)' ');
        long sum = 0;
        foreach (var b in header[..BlockSize]) { sum += b; }
        WriteOctal(header.Slice(ChecksumOffset, 7), sum);
    }

    /// <summary>
    /// Reads one "length key=value\n" record, advancing <paramref name="records"/>. The length counts
    /// bytes, so values may hold any byte, newlines and NULs included.
    /// </summary>
    public static bool TryReadPaxRecord(ref ReadOnlySpan<byte> records, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        key = value = default;
        var space = records.IndexOf((byte)' ');
        if (space <= 0 || !Utf8Parser.TryParse(records[..space], out int length, out var digits) || digits != space
            || length <= space + 1 || length > records.Length || records[length - 1] != '\n')
        {
            return false;
        }
        var body = records[(space + 1)..(length - 1)];
        var equals = body.IndexOf((byte)'=');
        if (equals <= 0) { return false; }
        key = body[..equals];
        value = body[(equals + 1)..];
        records = records[length..];
        return true;
    }

    /// <summary>Appends one PAX record; the length prefix counts its own digits.</summary>
    public static void AppendPaxRecord(List<byte> records, string key, ReadOnlySpan<byte> value)
    {
        var body = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // space, '=', newline
        var length = body + 1;
        while (length != body + Digits(length)) { length = body + Digits(length); }
        records.AddRange(Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " "));
        records.AddRange(Encoding.UTF8.GetBytes(key));
        records.Add((byte)'=');
        records.AddRange(value);
        records.Add((byte)'\n');
    }

    /// <summary>Parses a PAX time ("seconds[.fraction]", possibly negative) into seconds and nanoseconds.</summary>
    public static bool TryParsePaxTime(ReadOnlySpan<byte> text, out long seconds, out uint nanoseconds)
    {
        seconds = 0;
        nanoseconds = 0;
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        if (!Utf8Parser.TryParse(whole, out seconds, out var used) || used != whole.Length) { return false; }
        if (dot < 0) { return true; }
        var fraction = text[(dot + 1)..];
        uint scale = 100_000_000;
        foreach (var b in fraction)
        {
            if (b is < (byte)'0' or > (byte)'9') { return false; }
            nanoseconds += (uint)(b - '0') * scale;
            scale /= 10;
        }
        // "-1.25" is 1.25 s before the epoch: -2 s plus 0.75 s.
        if (text.Length > 0 && text[0] == '-' && nanoseconds > 0)
        {
            seconds -= 1;
            nanoseconds = 1_000_000_000 - nanoseconds;
        }
        return true;
    }

    private static int Digits(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
}
