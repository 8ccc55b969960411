using System.Text;
using DockPS.Engine.Containers.Logs;

namespace DockPS.Engine.Tests.Containers.Logs;

/// <summary>What the log tests share: times, reading everything, turning entries back into text.</summary>
internal static class LogTestKit
{
    /// <summary>The time of the first test record; record i is i milliseconds later.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A generous bound so that a broken follow fails the test instead of hanging it.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromMinutes(2);

    public static DateTimeOffset At(int i) => T0.AddMilliseconds(i);

    public static string Text(LogEntry entry) => Encoding.UTF8.GetString(entry.Bytes.Span);

    public static List<string> Texts(IEnumerable<LogEntry> entries) => entries.Select(Text).ToList();

    public static async Task<List<LogEntry>> ReadAllAsync(JsonFileLogReader reader, Task? stopped = null)
    {
        using var hang = new CancellationTokenSource(Hang);
        var entries = new List<LogEntry>();
        await foreach (var entry in reader.ReadAsync(stopped, hang.Token)) { entries.Add(entry); }
        return entries;
    }

    public static Task<List<LogEntry>> ReadAllAsync(string path, LogReadOptions options) =>
        ReadAllAsync(new JsonFileLogReader(path, options));

    /// <summary>Writes lines "line i\n" for i in <paramref name="numbers"/>, stdout for even i, stderr for odd.</summary>
    public static void WriteNumbered(TestLogWriter writer, IEnumerable<int> numbers)
    {
        foreach (var i in numbers) { writer.Write(i % 2 == 0 ? LogStream.Stdout : LogStream.Stderr, $"line {i}\n", At(i)); }
        writer.Flush();
    }

    public static IEnumerable<string> Lines(IEnumerable<int> numbers) => numbers.Select(i => $"line {i}\n");
}
