using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>
/// 100 MiB of 100-byte lines through dockps-shim into a json-file log, alone and with an attach
/// client reading along. Run readably with
/// <c>dotnet test tests/DockPS.Engine.Tests --filter Category=Bench --logger "console;verbosity=detailed"</c>.
/// It asserts that no line is lost or damaged; the figures are printed, never asserted.
/// </summary>
[Collection(ShimCollection.Name)]
[Trait("Category", "Bench")]
public sealed class ShimThroughputBench(ShimFixture fixture, ITestOutputHelper output)
{
    private const int LineCount = 1 << 20;
    private const int LineLength = 100;
    private const double MiB = 1 << 20;

    [Fact]
    public async Task HundredMiBOfLinesIntoTheLog()
    {
        await using var box = new ShimSandbox(fixture, "crun");
        var data = Directory.CreateDirectory(Path.Combine(box.Dir, "data")).FullName;
        var line = new byte[LineLength];
        Array.Fill(line, (byte)'a');
        line[^1] = (byte)'\n';
        await using (var file = File.Create(Path.Combine(data, "lines")))
        {
            for (var i = 0; i < LineCount; i++) { file.Write(line); }
        }
        // busybox cat splices the file into the pipe: the producer is never the bottleneck.
        box.WriteConfig(
            ["cat", "/data/lines"],
            extraMounts: [new JsonObject { ["destination"] = "/data", ["type"] = "bind", ["source"] = data, ["options"] = new JsonArray("rbind", "ro") }]);

        foreach (var attached in new[] { false, true })
        {
            File.Delete(box.LogPath);
            var state = Path.Combine(box.Dir, attached ? "state-attached" : "state-alone");
            var connection = (await box.LaunchAsync(box.Options(state) with { LogPath = box.LogPath })).Connect();
            var attach = attached ? await connection.AttachAsync(false, true, true, box.Timeout) : null;
            var reading = attach is null ? Task.FromResult((0L, false)) : CountBytesAsync(attach, box.Timeout);
            var clock = Stopwatch.StartNew();
            await connection.StartAsync(box.Timeout);
            var exit = await connection.WaitAsync(box.Timeout);
            var seconds = clock.Elapsed.TotalSeconds;
            Assert.Equal(0, exit.ExitCode);
            await connection.WaitForShimExitAsync(box.Timeout);
            var (attachedBytes, dropped) = await reading;
            attach?.Dispose();

            // The log is whole whatever the attach client did; the client got all of it unless it was dropped.
            Assert.Equal(LineCount, CountIntactEntries(box.LogPath));
            Assert.True(dropped || attachedBytes == (attach is null ? 0 : (long)LineCount * LineLength));
            var client = attach is null ? "" : dropped
                ? $", the attach client fell behind and was dropped after {attachedBytes / MiB:F0} MiB"
                : ", the attach client got every byte";
            output.WriteLine($"{(attached ? "log + attach" : "log only    ")}: {LineCount * (double)LineLength / MiB / seconds:F0} MiB/s " +
                $"({seconds:F2} s from start to exit, log {new FileInfo(box.LogPath).Length / MiB:F0} MiB{client})");
        }
    }

    // Reads the raw stream in large pieces, taking the frames apart in place: a reader this test
    // can make fast. Its payload must be the file's bytes; a reader that still fell behind is
    // dropped by the shim (by design), which ends the stream, possibly inside a frame.
    private static async Task<(long Bytes, bool Dropped)> CountBytesAsync(DockPS.Engine.Runtime.ShimAttachStream attach, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        // The file's content from any column: a payload piece is checked with one vectorized compare.
        var pattern = new byte[buffer.Length + LineLength];
        for (var i = 0; i < pattern.Length; i++) { pattern[i] = (i + 1) % LineLength == 0 ? (byte)'\n' : (byte)'a'; }
        long total = 0;
        int column = 0;
        int filled = 0, frameLeft = 0;
        while (true)
        {
            var read = await attach.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) { return (total, filled > 0 || frameLeft > 0); }
            filled += read;
            var at = 0;
            while (at < filled)
            {
                if (frameLeft == 0)
                {
                    if (filled - at < 8) { break; }
                    Assert.Equal(1, buffer[at]);
                    frameLeft = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(at + 4));
                    at += 8;
                    continue;
                }
                var take = Math.Min(frameLeft, filled - at);
                Assert.True(buffer.AsSpan(at, take).SequenceEqual(pattern.AsSpan(column, take)), "attach payload differs from the file");
                column = (column + take) % LineLength;
                total += take;
                frameLeft -= take;
                at += take;
            }
            buffer.AsSpan(at, filled - at).CopyTo(buffer);
            filled -= at;
        }
    }

    private static int CountIntactEntries(string path)
    {
        var expected = "{\"log\":\"" + new string('a', LineLength - 1) + "\\n\",\"stream\":\"stdout\",\"time\":\"";
        var count = 0;
        foreach (var entry in File.ReadLines(path))
        {
            Assert.StartsWith(expected, entry, StringComparison.Ordinal);
            Assert.EndsWith("Z\"}", entry, StringComparison.Ordinal);
            count++;
        }
        return count;
    }
}
