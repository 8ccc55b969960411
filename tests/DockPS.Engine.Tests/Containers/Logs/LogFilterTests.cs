using DockPS.Engine.Containers.Logs;
using static DockPS.Engine.Tests.Containers.Logs.LogTestKit;

namespace DockPS.Engine.Tests.Containers.Logs;

/// <summary>Tail, since and until, with Docker's semantics (see <see cref="LogReadOptions"/>).</summary>
public sealed class LogFilterTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _path;

    public LogFilterTests()
    {
        _path = _dir["c-json.log"];
        // Lines 0..99 over five files of about fourteen records each: the oldest are rotated out.
        using var writer = new TestLogWriter(_path, maxSize: 1000, maxFiles: 5);
        WriteNumbered(writer, Enumerable.Range(0, 100));
    }

    public void Dispose() => _dir.Dispose();

    private int RecordsIn(string file) => File.ReadAllLines(file).Length;

    [Fact]
    public async Task TailCountsRecordsFromTheEndAcrossRotatedFiles()
    {
        Assert.True(RecordsIn(_path) < 10, "the tail must reach into the rotated files");
        Assert.True(RecordsIn(_path) + RecordsIn(_path + ".1") < 30);

        Assert.Equal(Lines(Enumerable.Range(90, 10)), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 10 })));
        Assert.Equal(Lines(Enumerable.Range(70, 30)), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 30 })));
        Assert.Equal(Lines([99]), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 1 })));
        Assert.Empty(await ReadAllAsync(_path, new LogReadOptions { Tail = 0 }));

        var all = Texts(await ReadAllAsync(_path, new LogReadOptions()));
        Assert.Equal(all, Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 100_000 })));
        Assert.Equal(all.Count, Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = all.Count })).Count);
        Assert.Equal(all.Skip(1), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = all.Count - 1 })));
    }

    [Fact]
    public async Task TailCountsBothStreamsBeforeOneIsSelected()
    {
        // moby counts lines of the file, then drops the stream not asked for: tail 4 of stdout is 2 lines here.
        Assert.Equal(Lines([96, 98]), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 4, Stderr = false })));
    }

    [Fact]
    public async Task TailReadsOnlyTheEndOfTheLog()
    {
        var path = _dir["big-json.log"];
        using (var writer = new TestLogWriter(path))
        {
            // Damage at the start that a full parse would count: the tail never gets to it.
            writer.WriteRaw(new byte[1 << 20]);
            writer.WriteRaw("\n"u8);
            WriteNumbered(writer, Enumerable.Range(0, 20_000));
        }
        var reader = new JsonFileLogReader(path, new LogReadOptions { Tail = 5 });
        Assert.Equal(Lines(Enumerable.Range(19_995, 5)), Texts(await ReadAllAsync(reader)));
        Assert.Equal(0, reader.CorruptLines);

        var full = new JsonFileLogReader(path, new LogReadOptions());
        Assert.Equal(20_000, (await ReadAllAsync(full)).Count);
        Assert.Equal(1, full.CorruptLines);
    }

    [Fact]
    public async Task TailSkipsARecordStillBeingWritten()
    {
        var path = _dir["partial-json.log"];
        using (var writer = new TestLogWriter(path))
        {
            WriteNumbered(writer, Enumerable.Range(0, 5));
            writer.WriteRaw(TestLogWriter.Record(LogStream.Stdout, "line 5\n"u8, At(5)).AsSpan(0, 20));
            writer.Flush();
        }
        Assert.Equal(Lines([3, 4]), Texts(await ReadAllAsync(path, new LogReadOptions { Tail = 2 })));
    }

    [Fact]
    public async Task SinceAndUntilAreInclusive()
    {
        Assert.Equal(Lines(Enumerable.Range(95, 5)), Texts(await ReadAllAsync(_path, new LogReadOptions { Since = At(95) })));
        Assert.Equal(Lines(Enumerable.Range(80, 3)), Texts(await ReadAllAsync(_path, new LogReadOptions { Since = At(80), Until = At(82) })));
        Assert.Empty(await ReadAllAsync(_path, new LogReadOptions { Since = At(100) }));
        Assert.Empty(await ReadAllAsync(_path, new LogReadOptions { Until = At(0).AddTicks(-1) }));
    }

    [Fact]
    public async Task TailComesBeforeSinceAndUntil()
    {
        // The last ten are 90..99 whatever since says; since only thins them out.
        Assert.Equal(Lines(Enumerable.Range(90, 10)), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 10, Since = At(50) })));
        Assert.Equal(Lines(Enumerable.Range(95, 5)), Texts(await ReadAllAsync(_path, new LogReadOptions { Tail = 10, Since = At(95) })));
        Assert.Empty(await ReadAllAsync(_path, new LogReadOptions { Tail = 10, Until = At(50) }));
    }

    [Fact]
    public async Task BoundsCompareToTheNanosecond()
    {
        var path = _dir["ns-json.log"];
        File.WriteAllText(path,
            """
            {"log":"before\n","stream":"stdout","time":"2026-11-29T12:00:00.999999999Z"}
            {"log":"on\n","stream":"stdout","time":"2026-11-29T12:00:01Z"}
            {"log":"50ns after\n","stream":"stdout","time":"2026-11-29T12:00:01.00000005Z"}

            """);
        var second = T0.AddSeconds(1);
        Assert.Equal(["on\n", "50ns after\n"], Texts(await ReadAllAsync(path, new LogReadOptions { Since = second })));
        Assert.Equal(["before\n", "on\n"], Texts(await ReadAllAsync(path, new LogReadOptions { Until = second })));
    }

    [Fact]
    public async Task ClockStepsBackAreHandledAsDockerDoes()
    {
        var path = _dir["clock-json.log"];
        using (var writer = new TestLogWriter(path))
        {
            foreach (var i in new[] { 1, 5, 3, 6, 2 }) { writer.Write(LogStream.Stdout, $"line {i}\n", At(i)); }
            writer.Flush();
        }
        // Since filters only until the first record at or after it; until ends at the first one after it.
        Assert.Equal(Lines([5, 3, 6, 2]), Texts(await ReadAllAsync(path, new LogReadOptions { Since = At(4) })));
        Assert.Equal(Lines([1]), Texts(await ReadAllAsync(path, new LogReadOptions { Until = At(4) })));
    }
}
