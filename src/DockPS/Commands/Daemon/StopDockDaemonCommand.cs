using System.Management.Automation;
using DockPS.Client;

namespace DockPS.Commands.Daemon;

/// <summary>
/// <para type="synopsis">Stops a running dockpsd daemon.</para>
/// <para type="description">Finds the dockpsd listening at -HostAddress (the kernel names the process behind a Unix socket) or the one named by -PidFile, sends it SIGTERM and waits until it has exited, which removes its socket and PID file. Accepts DockDaemon objects from Start-DockDaemon -PassThru through the pipeline.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "DockDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = AddressSet)]
[OutputType(typeof(void))]
public sealed class StopDockDaemonCommand : DockCmdlet
{
    private const string AddressSet = "Address";
    private const string PidFileSet = "PidFile";

    #region Parameters

    /// <summary><para type="description">The daemon's PID file, for a daemon listening on TCP.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PidFileSet)]
    [ValidateNotNullOrEmpty]
    public string? PidFile { get; set; }

    /// <summary><para type="description">How long to wait for the daemon to exit, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    #endregion

    /// <summary>Stops the daemon named by each input.</summary>
    protected override void ProcessRecord()
    {
        var target = PidFile is null ? ResolvedAddress : GetUnresolvedProviderPathFromPSPath(PidFile);
        var pid = FindPid(target);
        if (pid is null) { return; }
        if (!ShouldProcess($"dockpsd (pid {pid}) at {target}", "Stop")) { return; }
        if (!DaemonProcess.Stop(pid.Value, TimeSpan.FromSeconds(TimeoutSeconds), Cancellation))
        {
            WriteError(new ErrorRecord(new TimeoutException($"dockpsd (pid {pid}) did not exit within {TimeoutSeconds} s."),
                "DaemonStopTimeout", ErrorCategory.OperationTimeout, target));
            return;
        }
        WriteVerbose($"dockpsd (pid {pid}) stopped.");
    }

    private int? FindPid(string target)
    {
        int? pid;
        if (PidFile is not null)
        {
            pid = File.Exists(target) && int.TryParse(File.ReadAllText(target).Trim(), out var p) ? p : null;
        }
        else if (DaemonAddress.SocketPath(target) is { } socket)
        {
            pid = DaemonProcess.PeerProcessId(socket);
        }
        else
        {
            WriteError(new ErrorRecord(new ArgumentException($"{target} is not a Unix socket; name the daemon with -PidFile."),
                "DaemonAddressNotLocal", ErrorCategory.InvalidArgument, target));
            return null;
        }
        if (pid is null || !DaemonProcess.IsDockpsd(pid.Value))
        {
            WriteError(new ErrorRecord(new DockException($"No dockpsd is running at {target}."),
                "DaemonNotRunning", ErrorCategory.ObjectNotFound, target));
            return null;
        }
        return pid;
    }
}
