using System.Text;
using DockPS.Engine.Containers.Logs;
using static DockPS.Engine.Tests.Containers.Logs.LogTestKit;

namespace DockPS.Engine.Tests.Containers.Logs;

public class LogStreamWriterTests
{
    private static LogEntry Entry(LogStream stream, string text, DateTimeOffset time, int subTick = 0) =>
        new(stream, time, subTick, Encoding.UTF8.GetBytes(TestLogWriter.GoTime(time, subTick)), Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task AFrameIsTheStreamTypeThreeZerosTheBigEndianSizeAndTheBytes()
    {
        var output = new MemoryStream();
        await StdStreamFrame.WriteAsync(output, StdStreamType.Stderr, "hello\n"u8.ToArray());
        var big = new byte[70_000];
        Random.Shared.NextBytes(big);
        await StdStreamFrame.WriteAsync(output, StdStreamType.Stdout, big);

        byte[] expected = [2, 0, 0, 0, 0, 0, 0, 6, .. "hello\n"u8, 1, 0, 0, 0, 0, 0x01, 0x11, 0x70, .. big];
        Assert.Equal(expected, output.ToArray());
    }

    [Fact]
    public void DockerTimestampsKeepNineFractionDigits()
    {
        // moby's RFC3339NanoFixed ("2006-01-02T15:04:05.000000000Z07:00"), not Go's trimmed RFC3339Nano.
        static string Format(DateTimeOffset time, int subTick)
        {
            var text = new byte[DockerTimestamp.MaxLength];
            return Encoding.ASCII.GetString(text, 0, DockerTimestamp.Format(time, subTick, text));
        }

        Assert.Equal("2026-11-29T12:00:00.123456789Z", Format(T0.AddTicks(1234567), 89));
        Assert.Equal("2026-11-29T12:00:00.100000000Z", Format(T0.AddMilliseconds(100), 0));
        Assert.Equal("2026-11-29T12:00:00.000000000Z", Format(T0, 0));
        Assert.Equal("2026-11-29T13:30:00.000000005+01:30", Format(T0.ToOffset(TimeSpan.FromMinutes(90)), 5));
        Assert.Equal("2026-11-29T07:00:00.000000000-05:00", Format(T0.ToOffset(TimeSpan.FromHours(-5)), 0));
    }

    [Fact]
    public async Task MultiplexedWithTimestampsAsDockerLogsT()
    {
        var output = new MemoryStream();
        var writer = new LogStreamWriter(output, multiplexed: true, timestamps: true);
        await writer.WriteAsync(Entry(LogStream.Stdout, "hello\n", T0.AddTicks(1234567), 89));
        await writer.WriteAsync(Entry(LogStream.Stderr, "oops\n", T0.AddMilliseconds(500)));
        await writer.FlushAsync();

        var first = "2026-11-29T12:00:00.123456789Z hello\n"u8.ToArray();
        var second = "2026-11-29T12:00:00.500000000Z oops\n"u8.ToArray();
        byte[] expected = [1, 0, 0, 0, 0, 0, 0, (byte)first.Length, .. first, 2, 0, 0, 0, 0, 0, 0, (byte)second.Length, .. second];
        Assert.Equal(expected, output.ToArray());
    }

    [Fact]
    public async Task RawWithoutTimestampsIsTheBytesAlone()
    {
        var output = new MemoryStream();
        var writer = new LogStreamWriter(output, multiplexed: false, timestamps: false);
        await writer.WriteAsync(Entry(LogStream.Stdout, "a\n", T0));
        await writer.WriteAsync(Entry(LogStream.Stderr, "b", T0));
        await writer.WriteAsync(Entry(LogStream.Stderr, "c\n", T0));
        await writer.FlushAsync();
        Assert.Equal("a\nbc\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task CopyWritesEveryEntryIncludingOnesLargerThanTheBuffer()
    {
        using var dir = new TempDir();
        var path = dir["c-json.log"];
        var large = new string('x', 200_000) + "\n";
        using (var log = new TestLogWriter(path))
        {
            WriteNumbered(log, Enumerable.Range(0, 3000));
            log.Write(LogStream.Stderr, large, At(3000));
            log.Flush();
        }
        var output = new MemoryStream();
        await new LogStreamWriter(output, multiplexed: true, timestamps: false)
            .CopyAsync(new JsonFileLogReader(path, new LogReadOptions()).ReadAsync());

        // Read the frames back as a client would.
        var frames = new List<(byte Type, string Text)>();
        var bytes = output.ToArray();
        for (var at = 0; at < bytes.Length;)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 4));
            Assert.Equal([0, 0, 0], bytes[(at + 1)..(at + 4)]);
            frames.Add((bytes[at], Encoding.UTF8.GetString(bytes, at + 8, size)));
            at += 8 + size;
        }
        Assert.Equal(3000 + 13, frames.Count);
        Assert.Equal(Lines(Enumerable.Range(0, 3000)), frames.Take(3000).Select(f => f.Text));
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (byte)(i % 2 == 0 ? 1 : 2)), frames.Take(3000).Select(f => f.Type));
        Assert.Equal(large, string.Concat(frames.Skip(3000).Select(f => f.Text)));
        Assert.All(frames.Skip(3000), f => Assert.Equal(2, f.Type));
    }
}
