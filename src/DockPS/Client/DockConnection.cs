using Docker.DotNet;

namespace DockPS.Client;

/// <summary>
/// Opens a client for the daemon a cmdlet addresses. When that is the default local socket and
/// nothing answers there, the bundled dockpsd is started first, as the design promises.
/// </summary>
public static class DockConnection
{
    /// <summary>Default persistent state folder of an auto-started daemon.</summary>
    public const string DefaultDataRoot = "/var/lib/dockps";

    /// <summary>Default runtime state folder of an auto-started daemon.</summary>
    public const string DefaultExecRoot = "/run/dockps";

    private static readonly Lock AutoStartGate = new();

    /// <summary>Opens a Docker.DotNet client for <paramref name="address"/> (already resolved).</summary>
    public static DockerClient Open(string address, Action<string> verbose, CancellationToken cancellationToken)
    {
        if (address == DaemonAddress.Default)
        {
            lock (AutoStartGate)
            {
                if (!DaemonProcess.Answers(address))
                {
                    verbose($"No daemon answers at {address}; starting the bundled dockpsd.");
                    var daemon = DaemonProcess.Start(address, DefaultDataRoot, DefaultExecRoot, TimeSpan.FromSeconds(30), cancellationToken);
                    verbose($"dockpsd started (pid {daemon.Pid}, log {daemon.LogPath}).");
                }
            }
        }
        return new DockerClientBuilder().WithEndpoint(DaemonAddress.ToEndpoint(address)).Build();
    }
}
