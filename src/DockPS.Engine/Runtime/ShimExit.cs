using System.Globalization;

namespace DockPS.Engine.Runtime;

/// <summary>How a shim's process ended, from a <c>wait</c> reply or the state directory's exit file.</summary>
/// <param name="ExitCode">The exit status, or 128 + the signal that killed it.</param>
/// <param name="FinishedUnixNanoseconds">When the shim reaped it, in nanoseconds since the Unix epoch (Docker reports nanoseconds).</param>
/// <param name="OomKilled">The kernel's OOM killer struck in the process's cgroup.</param>
public sealed record ShimExit(int ExitCode, long FinishedUnixNanoseconds, bool OomKilled)
{
    /// <summary>The file the shim writes (atomically) when the process has ended.</summary>
    public const string FileName = "exit";

    /// <summary>When the process ended (to the 100 ns a <see cref="DateTimeOffset"/> holds).</summary>
    public DateTimeOffset FinishedAt => DateTimeOffset.UnixEpoch.AddTicks(FinishedUnixNanoseconds / 100);

    /// <summary>Parses <c>&lt;code&gt; &lt;finished-unix-ns&gt; &lt;oom 0|1&gt;</c>.</summary>
    /// <exception cref="FormatException">Not three numbers.</exception>
    public static ShimExit Parse(string text)
    {
        var parts = text.Trim().Split(' ');
        if (parts.Length != 3 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var finished) ||
            parts[2] is not ("0" or "1"))
        {
            throw new FormatException($"not an exit status: '{text.Trim()}'");
        }
        return new ShimExit(code, finished, parts[2] == "1");
    }

    /// <summary>
    /// The exit file of <paramref name="stateDirectory"/>, for when the shim is gone (the daemon
    /// restarted after the process ended); null if the process has not ended or no shim ran there.
    /// </summary>
    /// <exception cref="FormatException">The file is not an exit status.</exception>
    public static ShimExit? TryReadFile(string stateDirectory)
    {
        try
        {
            return Parse(File.ReadAllText(Path.Combine(stateDirectory, FileName)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
