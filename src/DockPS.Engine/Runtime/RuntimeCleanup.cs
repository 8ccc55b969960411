using System.Diagnostics;

namespace DockPS.Engine.Runtime;

/// <summary>
/// The runtime's delete, run by the daemon for a container whose monitor died before it could
/// run it (killed, or lost with its state): the runtime kills what is left of the container and
/// removes its state and cgroups. A runtime that no longer knows the container has nothing to do.
/// </summary>
public static class RuntimeCleanup
{
    /// <summary>Runs <c>runtime [args] delete --force id</c> and waits up to ten seconds for it.</summary>
    public static void ForceDelete(string runtimePath, IEnumerable<string> globalArgs, string id)
    {
        var start = new ProcessStartInfo(runtimePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in globalArgs.Concat(["delete", "--force", id])) { start.ArgumentList.Add(arg); }
        using var process = Process.Start(start)!;
        // Read both pipes so the runtime never blocks on a full one; its words are not needed.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
        }
    }
}
