using System.Text;
using DockPS.Engine.Containers.Logs;
using static DockPS.Engine.Tests.Containers.Logs.LogTestKit;

namespace DockPS.Engine.Tests.Containers.Logs;

public class JsonFileLogReaderTests
{
    [Fact]
    public async Task ReadsBothStreamsInOrderAndSelectsEither()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        using (var writer = new TestLogWriter(path)) { WriteNumbered(writer, Enumerable.Range(0, 6)); }

        var all = await ReadAllAsync(path, new LogReadOptions());
        Assert.Equal(Lines(Enumerable.Range(0, 6)), Texts(all));
        Assert.Equal([LogStream.Stdout, LogStream.Stderr, LogStream.Stdout, LogStream.Stderr, LogStream.Stdout, LogStream.Stderr], all.Select(e => e.Stream));

        var stdout = await ReadAllAsync(path, new LogReadOptions { Stderr = false });
        Assert.Equal(Lines([0, 2, 4]), Texts(stdout));
        var stderr = await ReadAllAsync(path, new LogReadOptions { Stdout = false });
        Assert.Equal(Lines([1, 3, 5]), Texts(stderr));
    }

    [Fact]
    public void AskingForNoStreamIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new JsonFileLogReader("/x", new LogReadOptions { Stdout = false, Stderr = false }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonFileLogReader("/x", new LogReadOptions { Tail = -1 }));
    }

    [Fact]
    public async Task AMissingLogReadsAsEmpty()
    {
        using var dir = new TempDir();
        Assert.Empty(await ReadAllAsync(dir["none-json.log"], new LogReadOptions()));
    }

    [Fact]
    public async Task DecodesGoEscapesAndInvalidUtf8AsGoDoes()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        // Written by hand, not by the test writer: the reader must agree with the format, not with our encoder.
        var lines = new[]
        {
            """{"log":"\u003cb\u003e \u0026 caf\u00e9 \"q\" \\ /\/ \t\b\f\r\n","stream":"stdout","time":"2026-11-29T12:00:00.1Z"}""",
            """{"log":"bad \ufffd\n","stream":"stdout","time":"2026-11-29T12:00:00.2Z"}""",
            """{"log":"pair \ud83d\ude00 lone \ud83d x \udc00\n","stream":"stdout","time":"2026-11-29T12:00:00.3Z"}""",
            // Other key orders, spacing and Docker's attrs are records too.
            """{ "time" : "2026-11-29T12:00:00.4Z", "attrs":{"tag":"a,b","n":[1,{"x":null}]}, "stream":"stderr", "log":"attrs\n" }""",
        };
        var bytes = new List<byte>();
        foreach (var line in lines) { bytes.AddRange(Encoding.UTF8.GetBytes(line + "\n")); }
        // Raw invalid UTF-8 (no writer of ours makes it; Go's decoder turns each bad byte into U+FFFD).
        bytes.AddRange("{\"log\":\"raw "u8.ToArray());
        bytes.AddRange(new byte[] { 0xFF, 0xE2, 0x82, (byte)'!', 0xC3, 0xA9 });
        bytes.AddRange("\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-29T12:00:00.5Z\"}\n"u8.ToArray());
        File.WriteAllBytes(path, bytes.ToArray());

        var reader = new JsonFileLogReader(path, new LogReadOptions());
        var entries = await ReadAllAsync(reader);
        Assert.Equal(
            ["<b> & café \"q\" \\ // \t\b\f\r\n", "bad \uFFFD\n", "pair 😀 lone \uFFFD x \uFFFD\n", "attrs\n", "raw \uFFFD\uFFFD\uFFFD!é\n"],
            Texts(entries));
        Assert.Equal(LogStream.Stderr, entries[3].Stream);
        Assert.Equal(0, reader.CorruptLines);
    }

    [Fact]
    public async Task WhatTheTestWriterEncodesReadsBackByteForByte()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        var output = new byte[] { (byte)'<', (byte)'&', (byte)'>', 0x00, 0x1F, 0x7F, 0xE2, 0x80, 0xA8, (byte)'"', (byte)'\\', (byte)'\n' };
        using (var writer = new TestLogWriter(path))
        {
            writer.Write(LogStream.Stdout, output, T0);
            writer.Flush();
        }
        Assert.Contains(@"\u003c\u0026\u003e\u0000\u001f", File.ReadAllText(path));
        var entry = Assert.Single(await ReadAllAsync(path, new LogReadOptions()));
        Assert.Equal(output, entry.Bytes.ToArray());
    }

    [Fact]
    public async Task KeepsTheTimeToTheNanosecondAndItsText()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        File.WriteAllText(path,
            """
            {"log":"a\n","stream":"stdout","time":"2026-11-29T12:00:00.123456789Z"}
            {"log":"b\n","stream":"stdout","time":"2026-11-29T13:00:00.5+01:00"}
            {"log":"c\n","stream":"stdout","time":"2026-11-29T12:00:01Z"}

            """);
        var entries = await ReadAllAsync(path, new LogReadOptions());

        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567), entries[0].Time);
        Assert.Equal(89, entries[0].SubTickNanoseconds);
        Assert.Equal(123456789, entries[0].NanosecondOfSecond);
        Assert.Equal("2026-11-29T12:00:00.123456789Z", Encoding.UTF8.GetString(entries[0].TimeText.Span));
        Assert.Equal(TimeSpan.FromHours(1), entries[1].Time.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 0, 500, TimeSpan.Zero), entries[1].Time.ToUniversalTime());
        Assert.Equal("2026-11-29T13:00:00.5+01:00", Encoding.UTF8.GetString(entries[1].TimeText.Span));
        Assert.Equal(0, entries[2].NanosecondOfSecond);
    }

    [Fact]
    public async Task ReadsTimesAcrossDaysAndRefusesImpossibleOnes()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        string[] times =
        [
            "2026-11-29T23:59:59.9Z", "2026-11-30T00:00:00Z", "2028-02-29T08:00:00.0000000001234Z",
            "2027-02-29T08:00:00Z", "2026-11-31T00:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T00:00:00.Z",
            "2026-11-30T00:00:00+14:01", "2026-11-30T00:00:00", "2026-11-30 00:00:00Z", "2026-11-30T00:00:00-02:00",
        ];
        File.WriteAllLines(path, times.Select(t => $$"""{"log":"{{t}}\n","stream":"stdout","time":"{{t}}"}"""));

        var reader = new JsonFileLogReader(path, new LogReadOptions());
        var entries = await ReadAllAsync(reader);

        Assert.Equal([times[0] + "\n", times[1] + "\n", times[2] + "\n", times[^1] + "\n"], Texts(entries));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), entries[1].Time);
        // Nanoseconds beyond the ninth digit are cut, as Go does.
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 8, 0, 0, TimeSpan.Zero), entries[2].Time);
        Assert.Equal(0, entries[2].NanosecondOfSecond);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero), entries[3].Time.ToUniversalTime());
        Assert.Equal(7, reader.CorruptLines);
    }

    [Fact]
    public async Task ALongLineArrivesInPiecesAllButTheLastPartial()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        // ASCII: the writer cuts at 16 KiB whatever the bytes, and a character cut in two is U+FFFD on both sides.
        var line = string.Concat(Enumerable.Range(0, 4000).Select(i => $"{i:D9}-")) + "\n";
        using (var writer = new TestLogWriter(path))
        {
            writer.Write(LogStream.Stdout, line, T0);
            writer.Flush();
        }
        var entries = await ReadAllAsync(path, new LogReadOptions());

        Assert.Equal(3, entries.Count);
        Assert.Equal([true, true, false], entries.Select(e => e.IsPartial));
        Assert.Equal(Encoding.UTF8.GetBytes(line), entries.SelectMany(e => e.Bytes.ToArray()).ToArray());
    }

    [Fact]
    public async Task CorruptLinesAreSkippedCountedAndLocated()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        var good = TestLogWriter.Record(LogStream.Stdout, "ok\n"u8, T0);
        var torn = """{"log":"torn by a cra"""u8.ToArray();
        var content = new List<byte>();
        content.AddRange(good);
        // A crash mid-write followed by the next record: the fused line is lost, nothing else.
        content.AddRange(torn);
        content.AddRange(good);
        content.AddRange(good);
        content.AddRange("not json at all\n"u8.ToArray());
        content.AddRange("""{"log":"bad escape \x","stream":"stdout","time":"2026-11-29T12:00:00Z"}"""u8.ToArray());
        content.Add((byte)'\n');
        content.AddRange("""{"log":"no time\n","stream":"stdout"}"""u8.ToArray());
        content.Add((byte)'\n');
        content.AddRange("""{"log":"bad time\n","stream":"stdout","time":"2026-13-29T12:00:00Z"}"""u8.ToArray());
        content.Add((byte)'\n');
        content.AddRange("""{"log":"bad stream\n","stream":"stdin","time":"2026-11-29T12:00:00Z"}"""u8.ToArray());
        content.Add((byte)'\n');
        var lastBad = content.Count;
        content.AddRange("\n"u8.ToArray());
        content.AddRange(good);
        File.WriteAllBytes(path, content.ToArray());

        var reader = new JsonFileLogReader(path, new LogReadOptions());
        var entries = await ReadAllAsync(reader);

        Assert.Equal(["ok\n", "ok\n", "ok\n"], Texts(entries));
        Assert.Equal(7, reader.CorruptLines);
        Assert.Equal(new LogCorruption(path, lastBad, "not a json-file log record"), reader.LastCorruption);
    }

    [Fact]
    public async Task AnOverlongLineIsSkippedWithoutBufferingItAll()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        using (var file = File.Create(path))
        {
            file.Write(TestLogWriter.Record(LogStream.Stdout, "before\n"u8, T0));
            var junk = new byte[LogBlockReader.MaxLine + 1000];
            Array.Fill(junk, (byte)'x');
            file.Write(junk);
            file.Write("\n"u8);
            file.Write(TestLogWriter.Record(LogStream.Stdout, "after\n"u8, T0));
        }
        var reader = new JsonFileLogReader(path, new LogReadOptions());
        Assert.Equal(["before\n", "after\n"], Texts(await ReadAllAsync(reader)));
        Assert.Equal(1, reader.CorruptLines);
    }

    [Fact]
    public async Task AnIncompleteLastLineIsNeitherReadNorCounted()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        var record = TestLogWriter.Record(LogStream.Stdout, "two\n"u8, At(1));
        File.WriteAllBytes(path, [.. TestLogWriter.Record(LogStream.Stdout, "one\n"u8, At(0)), .. record.AsSpan(0, record.Length / 2)]);

        var reader = new JsonFileLogReader(path, new LogReadOptions());
        Assert.Equal(["one\n"], Texts(await ReadAllAsync(reader)));
        Assert.Equal(0, reader.CorruptLines);
    }

    [Fact]
    public async Task RotatedFilesAreReadOldestFirst()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        using (var writer = new TestLogWriter(path, maxSize: 1000, maxFiles: 4)) { WriteNumbered(writer, Enumerable.Range(0, 60)); }
        Assert.True(File.Exists(path + ".3"));
        Assert.False(File.Exists(path + ".4"));

        var entries = await ReadAllAsync(path, new LogReadOptions());
        // The oldest records were rotated out; what is left is one unbroken run to the newest.
        var numbers = Texts(entries).Select(t => int.Parse(t["line ".Length..^1])).ToList();
        Assert.Equal(59, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
        Assert.True(numbers[0] > 0);
    }
}
