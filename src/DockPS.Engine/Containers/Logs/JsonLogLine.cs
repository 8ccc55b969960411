using System.Buffers;
using System.Text;

namespace DockPS.Engine.Containers.Logs;

/// <summary>The fields of one json-file record, as slices of the line they were found in.</summary>
internal ref struct JsonLogFields
{
    /// <summary>The "log" string's content, still escaped.</summary>
    public ReadOnlySpan<byte> Log;

    /// <summary>True when <see cref="Log"/> holds a backslash, so it cannot be copied as it is.</summary>
    public bool LogEscaped;

    /// <summary>The "stream" field.</summary>
    public LogStream Stream;

    /// <summary>The "time" string's content (Go writes it without escapes).</summary>
    public ReadOnlySpan<byte> Time;
}

/// <summary>
/// Reads the records Docker's json-file driver writes, <c>{"log":"…","stream":"stdout","time":"…"}</c>,
/// straight from the line's UTF-8 bytes: no strings, no allocation. Keys may come in any order and
/// others (Docker's "attrs") are skipped; what is not a complete record is refused, not guessed at.
/// </summary>
internal static class JsonLogLine
{
    // What ends a plain run while decoding: an escape, or a byte that may start invalid UTF-8.
    private static readonly SearchValues<byte> Special =
        SearchValues.Create([(byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    /// <summary>Finds the record's fields; false for anything that is not one well-formed record.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out JsonLogFields fields) =>
        TryParseDockerLayout(line, out fields) || TryParseAnyLayout(line, out fields);

    // Docker writes its three fields in one order with nothing between them: checking that layout is
    // two literal comparisons and two searches, half the work of taking the object apart key by key.
    private static bool TryParseDockerLayout(ReadOnlySpan<byte> line, out JsonLogFields fields)
    {
        fields = default;
        ReadOnlySpan<byte> start = "{\"log\":"u8;
        ReadOnlySpan<byte> stdout = ",\"stream\":\"stdout\",\"time\":\""u8;
        ReadOnlySpan<byte> stderr = ",\"stream\":\"stderr\",\"time\":\""u8;
        if (!line.StartsWith(start)) { return false; }
        var i = start.Length;
        if (!TryScanString(line, ref i, out fields.Log, out fields.LogEscaped)) { return false; }
        var rest = line[i..];
        if (rest.StartsWith(stdout)) { fields.Stream = LogStream.Stdout; }
        else if (rest.StartsWith(stderr)) { fields.Stream = LogStream.Stderr; }
        else { return false; }
        rest = rest[stdout.Length..];
        if (rest.Length < 2 || rest[^1] != '}' || rest[^2] != '"') { return false; }
        fields.Time = rest[..^2];
        return fields.Time.IndexOfAny((byte)'"', (byte)'\\') < 0;
    }

    private static bool TryParseAnyLayout(ReadOnlySpan<byte> line, out JsonLogFields fields)
    {
        fields = default;
        var i = SkipSpace(line, 0);
        if (i >= line.Length || line[i] != '{') { return false; }
        bool haveLog = false, haveStream = false, haveTime = false;
        i++;
        while (true)
        {
            i = SkipSpace(line, i);
            if (!TryScanString(line, ref i, out var key, out var keyEscaped)) { return false; }
            i = SkipSpace(line, i);
            if (i >= line.Length || line[i] != ':') { return false; }
            i = SkipSpace(line, i + 1);
            // An escaped key cannot be one of ours in anything Go wrote; it is skipped like an unknown one.
            if (!keyEscaped && key.SequenceEqual("log"u8))
            {
                if (!TryScanString(line, ref i, out fields.Log, out fields.LogEscaped)) { return false; }
                haveLog = true;
            }
            else if (!keyEscaped && key.SequenceEqual("stream"u8))
            {
                if (!TryScanString(line, ref i, out var stream, out _)) { return false; }
                if (stream.SequenceEqual("stdout"u8)) { fields.Stream = LogStream.Stdout; }
                else if (stream.SequenceEqual("stderr"u8)) { fields.Stream = LogStream.Stderr; }
                else { return false; }
                haveStream = true;
            }
            else if (!keyEscaped && key.SequenceEqual("time"u8))
            {
                if (!TryScanString(line, ref i, out fields.Time, out var timeEscaped) || timeEscaped) { return false; }
                haveTime = true;
            }
            else if (!TrySkipValue(line, ref i, depth: 0)) { return false; }

            i = SkipSpace(line, i);
            if (i >= line.Length) { return false; }
            if (line[i] == ',') { i++; continue; }
            if (line[i] != '}') { return false; }
            break;
        }
        return SkipSpace(line, i + 1) == line.Length && haveLog && haveStream && haveTime;
    }

    /// <summary>
    /// The most bytes <see cref="Decode"/> can write for <paramref name="escaped"/>: a raw invalid byte
    /// becomes the three of U+FFFD, and no escape grows.
    /// </summary>
    public static int MaxDecodedLength(ReadOnlySpan<byte> escaped) => escaped.Length * 3;

    /// <summary>
    /// Decodes a JSON string's content as Go's encoding/json does: escapes resolved, a surrogate pair
    /// joined, a lone surrogate and every byte of invalid UTF-8 each replaced by U+FFFD.
    /// Returns the length written, or -1 for a malformed escape. With <paramref name="validUtf8"/> (the
    /// caller checked) bytes above ASCII are copied as they are, and the result is never longer than the input.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> escaped, Span<byte> destination, bool validUtf8)
    {
        var written = 0;
        var i = 0;
        while (i < escaped.Length)
        {
            // Runs of plain ASCII are the common case: copy them whole.
            var special = validUtf8 ? escaped[i..].IndexOf((byte)'\\') : escaped[i..].IndexOfAny(Special);
            var plain = special < 0 ? escaped.Length - i : special;
            escaped.Slice(i, plain).CopyTo(destination[written..]);
            written += plain;
            i += plain;
            if (i >= escaped.Length) { break; }

            if (escaped[i] == '\\')
            {
                var consumed = DecodeEscape(escaped[i..], destination[written..], out var length);
                if (consumed < 0) { return -1; }
                written += length;
                i += consumed;
                continue;
            }

            // A byte of 0x80 or more: a whole valid sequence is copied, else this one byte is U+FFFD (Go's rule).
            if (Rune.DecodeFromUtf8(escaped[i..], out _, out var size) == OperationStatus.Done)
            {
                escaped.Slice(i, size).CopyTo(destination[written..]);
                written += size;
                i += size;
            }
            else
            {
                written += WriteReplacement(destination[written..]);
                i++;
            }
        }
        return written;
    }

    // Decodes the escape at the start of source; returns the bytes consumed (-1 if malformed).
    private static int DecodeEscape(ReadOnlySpan<byte> source, Span<byte> destination, out int length)
    {
        length = 1;
        if (source.Length < 2) { return -1; }
        switch (source[1])
        {
            case (byte)'"': destination[0] = (byte)'"'; return 2;
            case (byte)'\\': destination[0] = (byte)'\\'; return 2;
            case (byte)'/': destination[0] = (byte)'/'; return 2;
            case (byte)'b': destination[0] = (byte)'\b'; return 2;
            case (byte)'f': destination[0] = (byte)'\f'; return 2;
            case (byte)'n': destination[0] = (byte)'\n'; return 2;
            case (byte)'r': destination[0] = (byte)'\r'; return 2;
            case (byte)'t': destination[0] = (byte)'\t'; return 2;
            case (byte)'u': break;
            default: return -1;
        }
        var unit = ReadHex4(source[2..]);
        if (unit < 0) { return -1; }
        var consumed = 6;
        int scalar;
        if (char.IsHighSurrogate((char)unit) && source.Length >= 12 && source[6] == '\\' && source[7] == 'u'
            && ReadHex4(source[8..]) is var low and >= 0 && char.IsLowSurrogate((char)low))
        {
            scalar = char.ConvertToUtf32((char)unit, (char)low);
            consumed = 12;
        }
        else if (char.IsSurrogate((char)unit))
        {
            // A lone surrogate is not a character; Go substitutes U+FFFD and reads what follows on its own.
            scalar = 0xFFFD;
        }
        else
        {
            scalar = unit;
        }
        length = new Rune(scalar).EncodeToUtf8(destination);
        return consumed;
    }

    private static int ReadHex4(ReadOnlySpan<byte> source)
    {
        if (source.Length < 4) { return -1; }
        var value = 0;
        for (var k = 0; k < 4; k++)
        {
            var digit = HexValue(source[k]);
            if (digit < 0) { return -1; }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int WriteReplacement(Span<byte> destination)
    {
        "\uFFFD"u8.CopyTo(destination);
        return 3;
    }

    private static int SkipSpace(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') { i++; }
        return i;
    }

    // i at the opening quote; leaves i after the closing one.
    private static bool TryScanString(ReadOnlySpan<byte> line, scoped ref int i, out ReadOnlySpan<byte> content, out bool escaped)
    {
        content = default;
        escaped = false;
        if (i >= line.Length || line[i] != '"') { return false; }
        var j = i + 1;
        while (true)
        {
            var k = line[j..].IndexOfAny((byte)'"', (byte)'\\');
            if (k < 0) { return false; }
            j += k;
            if (line[j] == '"') { break; }
            // The escaped character is skipped whatever it is (a quote must not end the string);
            // whether the escape is well formed is the decoder's business.
            escaped = true;
            j += 2;
            if (j >= line.Length) { return false; }
        }
        content = line[(i + 1)..j];
        i = j + 1;
        return true;
    }

    private static bool TrySkipValue(ReadOnlySpan<byte> line, scoped ref int i, int depth)
    {
        // Docker nests "attrs" one level; anything deeper than this is not a log record.
        if (depth > 16 || i >= line.Length) { return false; }
        switch (line[i])
        {
            case (byte)'"':
                return TryScanString(line, ref i, out _, out _);
            case (byte)'{' or (byte)'[':
                var close = line[i] == '{' ? (byte)'}' : (byte)']';
                i = SkipSpace(line, i + 1);
                if (i < line.Length && line[i] == close) { i++; return true; }
                while (true)
                {
                    if (close == '}')
                    {
                        if (!TryScanString(line, ref i, out _, out _)) { return false; }
                        i = SkipSpace(line, i);
                        if (i >= line.Length || line[i] != ':') { return false; }
                        i = SkipSpace(line, i + 1);
                    }
                    if (!TrySkipValue(line, ref i, depth + 1)) { return false; }
                    i = SkipSpace(line, i);
                    if (i >= line.Length) { return false; }
                    if (line[i] == close) { i++; return true; }
                    if (line[i] != ',') { return false; }
                    i = SkipSpace(line, i + 1);
                }
            default:
                // A number, true, false or null: letters, digits, signs and dots up to the next delimiter.
                var start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit((char)line[i]) || line[i] is (byte)'-' or (byte)'+' or (byte)'.')) { i++; }
                return i > start;
        }
    }
}
