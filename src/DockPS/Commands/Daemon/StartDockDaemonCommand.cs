using System.Management.Automation;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Daemon;

/// <summary>
/// <para type="synopsis">Starts the dockpsd daemon that ships with the module.</para>
/// <para type="description">Starts dockpsd in its own session, listening at -HostAddress (default: $env:DOCKPS_HOST, then unix:///run/dockps/dockps.sock), and waits until it answers. The daemon keeps running after PowerShell exits; stop it with Stop-DockDaemon. Starting it needs root. Its log is dockpsd.log in the exec root.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "DockDaemon", SupportsShouldProcess = true)]
[OutputType(typeof(DockDaemon))]
public sealed class StartDockDaemonCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Folder for persistent state (images, containers, volumes, metadata).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string DataRoot { get; set; } = DockConnection.DefaultDataRoot;

    /// <summary><para type="description">Folder for runtime state (PID file, log, container runtime state).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ExecRoot { get; set; } = DockConnection.DefaultExecRoot;

    /// <summary><para type="description">How long to wait for the daemon to answer, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><para type="description">Write a DockDaemon object describing the started process.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Starts the daemon unless one already answers at the address.</summary>
    protected override void EndProcessing()
    {
        var address = ResolvedAddress;
        if (DaemonProcess.Answers(address))
        {
            ThrowTerminatingError(new ErrorRecord(
                new DockException($"A daemon already answers at {address}; stop it first or choose another -HostAddress."),
                "DaemonAlreadyRunning", ErrorCategory.ResourceExists, address));
        }
        var dataRoot = GetUnresolvedProviderPathFromPSPath(DataRoot);
        var execRoot = GetUnresolvedProviderPathFromPSPath(ExecRoot);
        if (!ShouldProcess($"dockpsd at {address} (data root {dataRoot})", "Start")) { return; }
        try
        {
            var daemon = DaemonProcess.Start(address, dataRoot, execRoot, TimeSpan.FromSeconds(TimeoutSeconds), Cancellation);
            WriteVerbose($"dockpsd started (pid {daemon.Pid}), listening at {address}; log {daemon.LogPath}.");
            if (PassThru) { WriteObject(daemon); }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "DaemonStartFailed", address);
        }
    }
}
