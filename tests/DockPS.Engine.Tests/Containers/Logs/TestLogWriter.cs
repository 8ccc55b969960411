using System.Globalization;
using System.Text;
using DockPS.Engine.Containers.Logs;

namespace DockPS.Engine.Tests.Containers.Logs;

/// <summary>How the test writer makes room when the file is full.</summary>
public enum Rotation
{
    /// <summary>path.(N-2)→path.(N-1) … path→path.1, then a new path (Docker with max-file ≥ 2).</summary>
    Rename,

    /// <summary>The one file cut back to nothing (max-file 1, as the brief's monitor does).</summary>
    Truncate,

    /// <summary>The one file unlinked and created again (what moby does with max-file 1).</summary>
    Unlink,
}

/// <summary>
/// Writes a json-file log the way Docker's writer does — Go's JSON escaping, lines over 16 KiB cut
/// into pieces, rotation at max-size — so the reader is tested against the format, not against
/// itself. Another "process": it has its own handle and never tells the reader anything.
/// </summary>
public sealed class TestLogWriter : IDisposable
{
    public const int PieceSize = 16 * 1024;

    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private readonly Rotation _rotation;
    private FileStream _file;

    public TestLogWriter(string path, long maxSize = long.MaxValue, int maxFiles = 1, Rotation rotation = Rotation.Rename)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = maxFiles;
        _rotation = maxFiles >= 2 ? Rotation.Rename : rotation;
        _file = Open(FileMode.OpenOrCreate);
        _file.Seek(0, SeekOrigin.End);
    }

    /// <summary>Called just before each rotation (tests use it to keep the writer within reach of the reader).</summary>
    public Action? BeforeRotate { get; set; }

    /// <summary>How many rotations happened.</summary>
    public int Rotations { get; private set; }

    /// <summary>Writes one line (or its pieces) as records; nothing reaches the file before <see cref="Flush"/>.</summary>
    public void Write(LogStream stream, string text, DateTimeOffset time, bool flushMidRecord = false) =>
        Write(stream, Encoding.UTF8.GetBytes(text), time, flushMidRecord);

    /// <summary>
    /// Writes raw output bytes as records of at most 16 KiB, as Docker's copier cuts them. With
    /// <paramref name="flushMidRecord"/> the first half of each record reaches the file before the rest,
    /// as a writer flushing in batches lets a reader see.
    /// </summary>
    public void Write(LogStream stream, ReadOnlySpan<byte> bytes, DateTimeOffset time, bool flushMidRecord = false)
    {
        do
        {
            var piece = bytes[..Math.Min(PieceSize, bytes.Length)];
            bytes = bytes[piece.Length..];
            WriteRecord(Record(stream, piece, time), flushMidRecord);
        } while (!bytes.IsEmpty);
    }

    /// <summary>Appends bytes that are not a record (torn or damaged lines), subject to rotation like any write.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => WriteRecord(bytes);

    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();

    /// <summary>One record line exactly as Go's encoding/json would write it, newline included.</summary>
    public static byte[] Record(LogStream stream, ReadOnlySpan<byte> log, DateTimeOffset time)
    {
        var text = new StringBuilder("{\"log\":\"");
        AppendGoString(text, log);
        text.Append("\",\"stream\":\"").Append(stream == LogStream.Stdout ? "stdout" : "stderr");
        text.Append("\",\"time\":\"").Append(GoTime(time)).Append("\"}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Go's RFC3339Nano: nanoseconds with the trailing zeros (and a bare dot) trimmed.</summary>
    public static string GoTime(DateTimeOffset time, int subTickNanoseconds = 0)
    {
        var fraction = ((time.Ticks % TimeSpan.TicksPerSecond) * 100 + subTickNanoseconds).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        var zone = time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture);
        return time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + zone;
    }

    // encoding/json with HTML escaping: <, >, & and U+2028/9 as \u escapes, control characters
    // escaped, every byte of invalid UTF-8 as \ufffd.
    private static void AppendGoString(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (bytes[0] < 0x80)
            {
                var c = (char)bytes[0];
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    case < ' ' or '<' or '>' or '&': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                    default: text.Append(c); break;
                }
                bytes = bytes[1..];
                continue;
            }
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var size) != System.Buffers.OperationStatus.Done)
            {
                text.Append("\\ufffd");
                bytes = bytes[1..];
                continue;
            }
            if (rune.Value is 0x2028 or 0x2029) { text.Append("\\u").Append(rune.Value.ToString("x4", CultureInfo.InvariantCulture)); }
            else { text.Append(rune.ToString()); }
            bytes = bytes[size..];
        }
    }

    private void WriteRecord(ReadOnlySpan<byte> record, bool flushMidRecord = false)
    {
        if (_file.Length >= _maxSize) { Rotate(); }
        if (!flushMidRecord)
        {
            _file.Write(record);
            return;
        }
        _file.Write(record[..(record.Length / 2)]);
        _file.Flush();
        _file.Write(record[(record.Length / 2)..]);
    }

    private void Rotate()
    {
        _file.Flush();
        BeforeRotate?.Invoke();
        Rotations++;
        switch (_rotation)
        {
            case Rotation.Truncate:
                _file.SetLength(0);
                _file.Position = 0;
                return;
            case Rotation.Unlink:
                _file.Dispose();
                File.Delete(_path);
                break;
            default:
                _file.Dispose();
                File.Delete($"{_path}.{_maxFiles - 1}");
                for (var k = _maxFiles - 1; k > 1; k--)
                {
                    if (File.Exists($"{_path}.{k - 1}")) { File.Move($"{_path}.{k - 1}", $"{_path}.{k}"); }
                }
                File.Move(_path, _path + ".1");
                break;
        }
        _file = Open(FileMode.CreateNew);
    }

    private FileStream Open(FileMode mode) =>
        new(_path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
}
