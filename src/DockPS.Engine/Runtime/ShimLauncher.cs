using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace DockPS.Engine.Runtime;

/// <summary>A shim that is up: ready to run the process on a start request, or running it already (<see cref="Started"/>).</summary>
/// <param name="ShimPid">The monitor's pid (the launched process forks it and exits).</param>
/// <param name="ContainerPid">The container's init pid once it runs; null until the start request (whose reply carries it).</param>
/// <param name="Id">The container ID.</param>
/// <param name="StateDirectory">The shim's state directory.</param>
public sealed record ShimStart(int ShimPid, int? ContainerPid, string Id, string StateDirectory)
{
    /// <summary>The container runs already (<see cref="ShimOptions.StartAtOnce"/>): no start request follows.</summary>
    public bool Started => ContainerPid is not null;

    /// <summary>A client for this shim's requests.</summary>
    public ShimConnection Connect() => new(StateDirectory, ShimPid);
}

/// <summary>
/// Starts dockps-shim and reads its one sync line. The shim's life is its own from then on: the
/// process this starts exits at once (its child is the monitor), so the engine keeps no handle.
/// </summary>
/// <param name="shimPath">The dockps-shim binary (shipped beside dockpsd).</param>
public sealed class ShimLauncher(string shimPath)
{
    /// <summary>The dockps-shim binary this launcher runs.</summary>
    public string ShimPath { get; } = shimPath;

    /// <summary>
    /// Starts a shim. It returns once the shim holds the process's stdio, ready for attach clients
    /// and a start request; with <see cref="ShimOptions.StartAtOnce"/>, once the runtime has run
    /// the container.
    /// </summary>
    /// <exception cref="RuntimeFailedException">The runtime failed; the message is its own.</exception>
    /// <exception cref="ShimException">The shim could not be run, refused its options or state directory, or ended without saying why.</exception>
    /// <exception cref="OperationCanceledException">Cancelled: a shim that was already up is killed.</exception>
    public async Task<ShimStart> LaunchAsync(ShimOptions options, CancellationToken cancellationToken = default)
    {
        var arguments = options.ToArguments();
        Directory.CreateDirectory(options.StateDirectory);
        var info = new ProcessStartInfo(ShimPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments) { info.ArgumentList.Add(argument); }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ShimException($"could not start {ShimPath}");
        }
        catch (Win32Exception e)
        {
            throw new ShimException($"could not start {ShimPath}: {e.Message}", e);
        }
        using (process)
        {
            string? line;
            try
            {
                // Our pipe's write end lives in the monitor until it has said its line.
                line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                KillLaunched(options);
                throw;
            }
            await process.WaitForExitAsync(CancellationToken.None);
            return Parse(line, options, process.ExitCode);
        }
    }

    private static ShimStart Parse(string? line, ShimOptions options, int launcherExit)
    {
        if (line is null)
        {
            throw new ShimException($"dockps-shim for {options.Id} exited (status {launcherExit}) without reporting");
        }
        var (kind, rest) = line.IndexOf(' ', StringComparison.Ordinal) is var space and >= 0
            ? (line[..space], line[(space + 1)..])
            : (line, "");
        var numbers = rest.Split(' ');
        switch (kind)
        {
            case "started" when numbers.Length == 2 && TryPid(numbers[0], out var containerPid) && TryPid(numbers[1], out var shimPid):
                return new ShimStart(shimPid, containerPid, options.Id, options.StateDirectory);
            case "ready" when numbers.Length == 1 && TryPid(numbers[0], out var readyShimPid):
                return new ShimStart(readyShimPid, null, options.Id, options.StateDirectory);
            case "error" when rest.StartsWith(ShimProcess.ProgramName + ": ", StringComparison.Ordinal):
                throw new ShimException(rest);
            case "error":
                throw new RuntimeFailedException(rest);
            default:
                throw new ShimException($"dockps-shim for {options.Id} said '{line}'");
        }
    }

    internal static bool TryPid(string text, out int pid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;

    // The monitor may already run the runtime; it is ours to stop, found by its pid file and
    // checked to be that shim before the signal.
    private static void KillLaunched(ShimOptions options)
    {
        if (ShimProcess.ReadPid(options.StateDirectory) is not { } pid || !ShimProcess.IsAlive(pid, options.Id)) { return; }
        try
        {
            using var shim = Process.GetProcessById(pid);
            shim.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
        {
            // Gone in between: nothing left to stop.
        }
    }
}
