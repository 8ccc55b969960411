using System.Globalization;
using System.Text;

namespace DockPS.Engine.Runtime;

/// <summary>
/// Finding a shim again by its pid, e.g. after the daemon restarts. A pid alone proves nothing
/// (the kernel reuses them), so liveness means: that pid runs dockps-shim for that container ID.
/// </summary>
public static class ShimProcess
{
    /// <summary>The shim's program name, as the build ships it.</summary>
    public const string ProgramName = "dockps-shim";

    /// <summary>The file in the state directory holding the shim's pid.</summary>
    public const string PidFileName = "shim.pid";

    // The shim's options that take no value; every other option is followed by one.
    private static readonly HashSet<string> Flags = ["--tty", "--stdin", "--stdin-once"];

    /// <summary>The pid the shim wrote in <paramref name="stateDirectory"/>, or null if there is none.</summary>
    public static int? ReadPid(string stateDirectory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(stateDirectory, PidFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is a running dockps-shim for container <paramref name="id"/>
    /// (an exec's shim counts too: it carries the container's ID). A zombie has no command line and
    /// counts as gone.
    /// </summary>
    public static bool IsAlive(int pid, string id)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var argv = Encoding.UTF8.GetString(raw).Split('\0');
        if (argv.Length < 2 || Path.GetFileName(argv[0]) != ProgramName) { return false; }
        // Walked as the shim parses it, so a runtime argument that happens to read "--id" is skipped.
        for (var i = 1; i < argv.Length; i++)
        {
            if (Flags.Contains(argv[i])) { continue; }
            if (i + 1 >= argv.Length) { break; }
            if (argv[i] == "--id") { return argv[i + 1] == id; }
            i++;
        }
        return false;
    }

    /// <summary>Whether the shim recorded in <paramref name="stateDirectory"/> still runs for <paramref name="id"/>.</summary>
    public static bool IsAlive(string stateDirectory, string id) => ReadPid(stateDirectory) is { } pid && IsAlive(pid, id);
}
