using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DockPS.Client;

/// <summary>
/// Starts the programs that ship in the module folder (dockpsd, dockps-registry) as background
/// processes that outlive PowerShell, and finds and stops them by PID. Each runs in its own
/// session (setsid), so closing the PowerShell window or pressing Ctrl+C there does not stop it.
/// </summary>
public static partial class DetachedProcess
{
    /// <summary>A file beside DockPS.dll.</summary>
    public static string InModuleFolder(string name) =>
        Path.Combine(Path.GetDirectoryName(typeof(DetachedProcess).Assembly.Location)!, name);

    /// <summary>
    /// Starts <paramref name="executable"/> detached, its output appended to <paramref name="log"/>,
    /// and waits until <paramref name="answers"/> says it serves. <paramref name="fail"/> makes the
    /// exception for a process that exits or never answers (its message ends with the log's tail).
    /// </summary>
    /// <returns>The PID and start time.</returns>
    public static (int Pid, DateTime StartTime) Start(string executable, IEnumerable<string> arguments, string log, Func<bool> answers,
        TimeSpan timeout, Func<string, Exception> fail, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(executable);
        var start = new ProcessStartInfo("/bin/sh")
        {
            // exec keeps one PID from sh to the program; setsid detaches it from this terminal's signals.
            ArgumentList = { "-c", "log=\"$1\"; shift; exec setsid \"$0\" \"$@\" </dev/null >>\"$log\" 2>&1", executable, log },
            UseShellExecute = false,
        };
        foreach (var argument in arguments) { start.ArgumentList.Add(argument); }
        using var process = Process.Start(start) ?? throw fail($"could not start {name}");
        var deadline = DateTime.UtcNow + timeout;
        while (!answers())
        {
            if (process.HasExited)
            {
                throw fail($"{name} exited with code {process.ExitCode}: {Tail(log)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Signal(process.Id, SigTerm);
                throw fail($"{name} did not answer within {timeout.TotalSeconds:0} s: {Tail(log)}");
            }
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(10);
        }
        return (process.Id, process.StartTime);
    }

    /// <summary>The command line of a running process, or null when there is none with that PID.</summary>
    public static string[]? CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Whether <paramref name="pid"/> runs <paramref name="name"/> (natively, or as name.dll under dotnet).</summary>
    public static bool IsRunning(int pid, string name) =>
        CommandLine(pid) is { } args && args.Take(2).Any(a => Path.GetFileName(a) == name || Path.GetFileName(a) == name + ".dll");

    /// <summary>Sends SIGTERM and waits until the process no longer runs <paramref name="name"/>.</summary>
    /// <returns>False when it was still running at the timeout.</returns>
    public static bool Stop(int pid, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Signal(pid, SigTerm) != 0) { return !Directory.Exists($"/proc/{pid}"); }
        var deadline = DateTime.UtcNow + timeout;
        while (IsRunning(pid, name))
        {
            if (DateTime.UtcNow > deadline) { return false; }
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(10);
        }
        return true;
    }

    /// <summary>The last lines of a log, joined on one line for an error message.</summary>
    public static string Tail(string log)
    {
        try { return string.Join(" | ", File.ReadLines(log).TakeLast(5)); }
        catch (IOException) { return "(no log)"; }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);
}
