using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>dockps-shim's json-file logs: Docker's format, escaping, line pieces and rotation.</summary>
[Collection(ShimCollection.Name)]
public sealed partial class ShimLogTests(ShimFixture fixture)
{
    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task EveryLineIsADockerJsonFileEntryEscapedAsGoDoes(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        // Quotes, backslash, HTML characters, tab, CR, a control byte, U+2028, valid UTF-8, an invalid byte, a partial last line.
        box.WriteConfig(["sh", "-c", """
            printf 'hello\n'
            printf 'q"b\\s<t>&\tr\r\001\n' >&2
            printf '\342\200\250 caf\303\251 \377x\n'
            printf 'no newline'
            """]);
        var connection = (await box.LaunchAsync(box.Options() with { LogPath = box.LogPath })).Connect();
        await connection.StartAsync(box.Timeout);
        await connection.WaitForShimExitAsync(box.Timeout);

        var raw = File.ReadAllLines(box.LogPath);
        var entries = raw.Select(Parse).ToList();
        Assert.Equal(
            ["hello\n", "\u2028 café \uFFFDx\n", "no newline"],
            entries.Where(e => e.Stream == "stdout").Select(e => e.Log));
        Assert.Equal(["q\"b\\s<t>&\tr\r\u0001\n"], entries.Where(e => e.Stream == "stderr").Select(e => e.Log));

        // The bytes themselves, as Docker writes them: fields in this order, HTML-safe escapes, UTF-8 kept.
        Assert.Contains(raw, l => l.StartsWith("{\"log\":\"q\\\"b\\\\s\\u003ct\\u003e\\u0026\\tr\\r\\u0001\\n\",\"stream\":\"stderr\",\"time\":\"", StringComparison.Ordinal));
        Assert.Contains(raw, l => l.StartsWith("{\"log\":\"\\u2028 café \\ufffdx\\n\",\"stream\":\"stdout\"", StringComparison.Ordinal));
        Assert.All(raw, l => Assert.Matches(EntryShape(), l));
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task LinesLongerThan16KiBArePiecesWithoutNewlines(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' x; echo; head -c 16384 /dev/zero | tr '\\0' y; echo; echo short"]);
        var connection = (await box.LaunchAsync(box.Options() with { LogPath = box.LogPath })).Connect();
        await connection.StartAsync(box.Timeout);
        await connection.WaitForShimExitAsync(box.Timeout);

        var logs = File.ReadAllLines(box.LogPath).Select(l => Parse(l).Log).ToList();
        Assert.Equal(
            [new string('x', 16384), new string('x', 16384), new string('x', 7232) + "\n", new string('y', 16384), "\n", "short\n"],
            logs);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task TheLogRotatesAtMaxSizeKeepingMaxFiles(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo \"line $i\"; i=$((i+1)); done"]);
        var options = box.Options() with { LogPath = box.LogPath, LogMaxSize = 2000, LogMaxFiles = 3 };
        var connection = (await box.LaunchAsync(options)).Connect();
        await connection.StartAsync(box.Timeout);
        await connection.WaitForShimExitAsync(box.Timeout);

        Assert.False(File.Exists(box.LogPath + ".3"));
        var files = new[] { box.LogPath + ".2", box.LogPath + ".1", box.LogPath };
        var entrySize = File.ReadLines(box.LogPath).Max(l => l.Length + 1);
        foreach (var file in files[..2])
        {
            // A file is rotated once it has reached the limit, never more than one entry past it.
            Assert.InRange(new FileInfo(file).Length, 2000, 2000 + entrySize);
        }
        Assert.InRange(new FileInfo(box.LogPath).Length, 1, 2000 + entrySize);
        var numbers = files.SelectMany(File.ReadLines).Select(l => int.Parse(Parse(l).Log["line ".Length..].TrimEnd('\n'))).ToList();
        Assert.Equal(299, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Theory]
    [MemberData(nameof(ShimFixture.Runtimes), MemberType = typeof(ShimFixture))]
    public async Task WithOneFileTheLogIsTruncatedInPlace(string runtime)
    {
        await using var box = new ShimSandbox(fixture, runtime);
        box.WriteConfig(["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo \"line $i\"; i=$((i+1)); done"]);
        var connection = (await box.LaunchAsync(box.Options() with { LogPath = box.LogPath, LogMaxSize = 2000 })).Connect();
        await connection.StartAsync(box.Timeout);
        await connection.WaitForShimExitAsync(box.Timeout);

        Assert.False(File.Exists(box.LogPath + ".1"));
        var logs = File.ReadLines(box.LogPath).Select(l => Parse(l).Log).ToList();
        Assert.Equal("line 299\n", logs[^1]);
        Assert.InRange(new FileInfo(box.LogPath).Length, 1, 2000 + 100);
        Assert.Equal(Enumerable.Range(300 - logs.Count, logs.Count).Select(i => $"line {i}\n"), logs);
    }

    private static (string Log, string Stream, string Time) Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal(["log", "stream", "time"], root.EnumerateObject().Select(p => p.Name));
        return (root.GetProperty("log").GetString()!, root.GetProperty("stream").GetString()!, root.GetProperty("time").GetString()!);
    }

    // RFC 3339 in UTC with nine fractional digits, as Docker writes "time".
    [GeneratedRegex("""^\{"log":".*","stream":"std(out|err)","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\}$""")]
    private static partial Regex EntryShape();
}
