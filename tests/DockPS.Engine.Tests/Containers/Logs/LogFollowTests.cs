using DockPS.Engine.Containers.Logs;
using static DockPS.Engine.Tests.Containers.Logs.LogTestKit;

namespace DockPS.Engine.Tests.Containers.Logs;

/// <summary>Following a log while another thread writes, flushes and rotates it.</summary>
public sealed class LogFollowTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _path;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LogFollowTests() => _path = _dir["c-json.log"];

    public void Dispose() => _dir.Dispose();

    private JsonFileLogReader Reader(LogReadOptions? options = null) =>
        new(_path, (options ?? new LogReadOptions()) with { Follow = true }) { MaxPollInterval = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task PicksUpAppendedLinesAndEndsWhenTheWriterStops()
    {
        using var writer = new TestLogWriter(_path);
        WriteNumbered(writer, Enumerable.Range(0, 5));
        var follower = new Follower(Reader(new LogReadOptions { Tail = 2 }), _stopped.Task);
        await follower.WaitForAsync(2);

        WriteNumbered(writer, Enumerable.Range(5, 3));
        await follower.WaitForAsync(5);
        WriteNumbered(writer, Enumerable.Range(8, 2));
        // Stopped right after the last write: the final look still reads it.
        _stopped.SetResult();

        await follower.Completion.WaitAsync(Hang);
        Assert.Equal(Lines([3, 4, 5, 6, 7, 8, 9]), Texts(follower.Entries));
    }

    [Fact]
    public async Task AHalfWrittenRecordWaitsForItsEnd()
    {
        using var writer = new TestLogWriter(_path);
        WriteNumbered(writer, [0]);
        var reader = Reader();
        var follower = new Follower(reader, _stopped.Task);
        await follower.WaitForAsync(1);

        // The next record reaches the file a few bytes at a time while the reader keeps looking.
        var record = TestLogWriter.Record(LogStream.Stdout, "line 1\n"u8, At(1));
        for (var i = 0; i < record.Length; i += 9)
        {
            writer.WriteRaw(record.AsSpan(i, Math.Min(9, record.Length - i)));
            writer.Flush();
            await Task.Delay(3);
        }
        await follower.WaitForAsync(2);
        _stopped.SetResult();
        await follower.Completion.WaitAsync(Hang);

        Assert.Equal(Lines([0, 1]), Texts(follower.Entries));
        Assert.Equal(0, reader.CorruptLines);
    }

    [Fact]
    public async Task AnIncompleteRecordLeftWhenTheWriterStopsIsCountedNotEmitted()
    {
        using var writer = new TestLogWriter(_path);
        WriteNumbered(writer, [0]);
        writer.WriteRaw(TestLogWriter.Record(LogStream.Stdout, "torn\n"u8, At(1)).AsSpan(0, 30));
        writer.Flush();
        _stopped.SetResult();

        var reader = Reader();
        var entries = await ReadAllAsync(reader, _stopped.Task);
        Assert.Equal(Lines([0]), Texts(entries));
        Assert.Equal(1, reader.CorruptLines);
    }

    [Theory]
    [InlineData(Rotation.Rename)]
    [InlineData(Rotation.Truncate)]
    [InlineData(Rotation.Unlink)]
    public async Task EveryLineArrivesOnceInOrderAcrossRotations(Rotation rotation)
    {
        const int count = 6000;
        var follower = new Follower(Reader(), _stopped.Task);
        var writer = Task.Factory.StartNew(() =>
        {
            var fileStarts = new List<int> { 0 };
            var written = 0;
            using var log = new TestLogWriter(_path, maxSize: 8 * 1024, maxFiles: rotation == Rotation.Rename ? 3 : 1, rotation);
            log.BeforeRotate = () =>
            {
                // Keep the writer within reach, not in step: with renames the reader may still be two
                // files behind; a cut or unlinked single file must have been read to its end.
                var needed = rotation == Rotation.Rename ? (fileStarts.Count >= 2 ? fileStarts[^2] : 0) : written;
                Assert.True(SpinWait.SpinUntil(() => follower.Count >= needed, Hang), "the reader stopped making progress");
                fileStarts.Add(written);
            };
            for (var i = 0; i < count; i++)
            {
                log.Write(LogStream.Stdout, $"line {i}\n", At(i), flushMidRecord: i % 7 == 0);
                written++;
                if (i % 50 == 49) { log.Flush(); }
            }
            log.Flush();
            return log.Rotations;
        }, TaskCreationOptions.LongRunning);

        var rotations = await writer.WaitAsync(Hang);
        _stopped.SetResult();
        await follower.Completion.WaitAsync(Hang);

        Assert.True(rotations > 20, $"only {rotations} rotations");
        Assert.Equal(Lines(Enumerable.Range(0, count)), Texts(follower.Entries));
    }

    [Fact]
    public async Task WaitsForTheLogToBeCreated()
    {
        var follower = new Follower(Reader(), _stopped.Task);
        using (var writer = new TestLogWriter(_path)) { WriteNumbered(writer, [0, 1]); }
        await follower.WaitForAsync(2);
        _stopped.SetResult();
        await follower.Completion.WaitAsync(Hang);
        Assert.Equal(Lines([0, 1]), Texts(follower.Entries));
    }

    [Fact]
    public async Task ARecordAfterUntilEndsTheFollow()
    {
        using var writer = new TestLogWriter(_path);
        WriteNumbered(writer, [0, 1]);
        var follower = new Follower(Reader(new LogReadOptions { Until = At(10) }), stopped: null);
        await follower.WaitForAsync(2);
        WriteNumbered(writer, [2, 11, 3]);

        await follower.Completion.WaitAsync(Hang);
        Assert.Equal(Lines([0, 1, 2]), Texts(follower.Entries));
    }

    [Fact]
    public async Task CancellationEndsTheFollow()
    {
        using var writer = new TestLogWriter(_path);
        WriteNumbered(writer, [0]);
        using var cancel = new CancellationTokenSource();
        var follower = new Follower(Reader(), stopped: null, cancel.Token);
        await follower.WaitForAsync(1);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follower.Completion.WaitAsync(Hang));
        Assert.Equal(Lines([0]), Texts(follower.Entries));
    }

    /// <summary>Runs a read on its own and lets the test wait for what it received.</summary>
    private sealed class Follower
    {
        private readonly List<LogEntry> _entries = [];
        private int _count;

        public Follower(JsonFileLogReader reader, Task? stopped, CancellationToken cancellationToken = default) =>
            Completion = Task.Run(async () =>
            {
                await foreach (var entry in reader.ReadAsync(stopped, cancellationToken))
                {
                    lock (_entries) { _entries.Add(entry); }
                    Interlocked.Increment(ref _count);
                }
            });

        public Task Completion { get; }

        public int Count => Volatile.Read(ref _count);

        public List<LogEntry> Entries
        {
            get { lock (_entries) { return [.. _entries]; } }
        }

        public async Task WaitForAsync(int count)
        {
            using var hang = new CancellationTokenSource(Hang);
            while (Count < count)
            {
                if (Completion.IsCompleted) { await Completion; Assert.Fail($"the read ended after {Count} of {count} entries"); }
                await Task.Delay(5, hang.Token);
            }
        }
    }
}
