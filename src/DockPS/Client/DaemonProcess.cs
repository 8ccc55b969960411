using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DockPS.Types;

namespace DockPS.Client;

/// <summary>
/// Starts and stops the dockpsd that ships in the module folder, detached through
/// <see cref="DetachedProcess"/> so it outlives the PowerShell session.
/// </summary>
public static partial class DaemonProcess
{
    /// <summary>The daemon executable beside DockPS.dll.</summary>
    public static string ExecutablePath => DetachedProcess.InModuleFolder("dockpsd");

    /// <summary>Whether something accepts connections at <paramref name="address"/>.</summary>
    public static bool Answers(string address)
    {
        try
        {
            var endpoint = DaemonAddress.ToEndpoint(address);
            using var socket = DaemonAddress.SocketPath(address) is { } path
                ? Connect(new UnixDomainSocketEndPoint(path), AddressFamily.Unix)
                : Connect(new System.Net.DnsEndPoint(endpoint.Host, endpoint.Port), AddressFamily.InterNetwork);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Socket Connect(System.Net.EndPoint endpoint, AddressFamily family)
    {
        var socket = family == AddressFamily.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try { socket.Connect(endpoint); return socket; }
        catch { socket.Dispose(); throw; }
    }

    /// <summary>
    /// Starts dockpsd listening at <paramref name="address"/> and waits until it answers.
    /// Its log goes to <c>dockpsd.log</c> in the exec root.
    /// </summary>
    /// <exception cref="DaemonStartException">Not root, not Linux, or the daemon exited or never answered; the message carries its log.</exception>
    public static DockDaemon Start(string address, string dataRoot, string execRoot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new DaemonStartException("the bundled dockpsd runs on Linux only; point -HostAddress or $env:DOCKPS_HOST at a daemon");
        }
        if (GetEffectiveUserId() != 0)
        {
            throw new DaemonStartException("starting dockpsd needs root (it mounts filesystems and creates namespaces); " +
                "run PowerShell as root, or point -HostAddress or $env:DOCKPS_HOST at a running daemon");
        }
        if (!File.Exists(ExecutablePath))
        {
            throw new DaemonStartException($"the daemon executable is missing from the module folder: {ExecutablePath}");
        }
        Directory.CreateDirectory(execRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var log = Path.Combine(execRoot, "dockpsd.log");
        var (pid, startTime) = DetachedProcess.Start(ExecutablePath, ["-H", address, "--data-root", dataRoot, "--exec-root", execRoot], log,
            () => Answers(address), timeout, message => new DaemonStartException(message), cancellationToken);
        return new DockDaemon(pid, address, dataRoot, execRoot, log, startTime);
    }

    /// <summary>The PID of the process listening on a Unix socket, from the kernel (SO_PEERCRED).</summary>
    public static int? PeerProcessId(string socketPath)
    {
        try
        {
            using var socket = Connect(new UnixDomainSocketEndPoint(socketPath), AddressFamily.Unix);
            var cred = new byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            socket.GetRawSocketOption(1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, cred);
            return BitConverter.ToInt32(cred, 0);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is a running dockpsd.</summary>
    public static bool IsDockpsd(int pid) => DetachedProcess.IsRunning(pid, "dockpsd");

    /// <summary>Sends SIGTERM and waits for the process to exit.</summary>
    /// <returns>False when it was still running at the timeout.</returns>
    public static bool Stop(int pid, TimeSpan timeout, CancellationToken cancellationToken) =>
        DetachedProcess.Stop(pid, "dockpsd", timeout, cancellationToken);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}

/// <summary>The daemon could not be started; the message says why.</summary>
public sealed class DaemonStartException(string message) : Exception(message);
