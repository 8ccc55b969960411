using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DockPS.Types;

namespace DockPS.Client;

/// <summary>
/// Starts and stops the dockpsd that ships in the module folder. The daemon runs in its own
/// session (setsid), so closing the PowerShell window or pressing Ctrl+C there does not stop it.
/// </summary>
public static partial class DaemonProcess
{
    /// <summary>The daemon executable beside DockPS.dll.</summary>
    public static string ExecutablePath =>
        Path.Combine(Path.GetDirectoryName(typeof(DaemonProcess).Assembly.Location)!, "dockpsd");

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
        var start = new ProcessStartInfo("/bin/sh")
        {
            // exec keeps one PID from sh to dockpsd; setsid detaches it from this terminal's signals.
            ArgumentList =
            {
                "-c", "exec setsid \"$0\" -H \"$1\" --data-root \"$2\" --exec-root \"$3\" </dev/null >>\"$4\" 2>&1",
                ExecutablePath, address, dataRoot, execRoot, log,
            },
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new DaemonStartException("could not start dockpsd");
        var deadline = DateTime.UtcNow + timeout;
        while (!Answers(address))
        {
            if (process.HasExited)
            {
                throw new DaemonStartException($"dockpsd exited with code {process.ExitCode}: {Tail(log)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Signal(process.Id, SigTerm);
                throw new DaemonStartException($"dockpsd did not answer at {address} within {timeout.TotalSeconds:0} s: {Tail(log)}");
            }
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(10);
        }
        return new DockDaemon(process.Id, address, dataRoot, execRoot, log, process.StartTime);
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
    public static bool IsDockpsd(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Take(2).Any(a => Path.GetFileName(a) is "dockpsd" or "dockpsd.dll"); }
        catch (IOException) { return false; }
    }

    /// <summary>Sends SIGTERM and waits for the process to exit.</summary>
    /// <returns>False when it was still running at the timeout.</returns>
    public static bool Stop(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Signal(pid, SigTerm) != 0) { return !Directory.Exists($"/proc/{pid}"); }
        var deadline = DateTime.UtcNow + timeout;
        while (IsDockpsd(pid))
        {
            if (DateTime.UtcNow > deadline) { return false; }
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(10);
        }
        return true;
    }

    private static string Tail(string log)
    {
        try { return string.Join(" | ", File.ReadLines(log).TakeLast(5)); }
        catch (IOException) { return "(no log)"; }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}

/// <summary>The daemon could not be started; the message says why.</summary>
public sealed class DaemonStartException(string message) : Exception(message);
