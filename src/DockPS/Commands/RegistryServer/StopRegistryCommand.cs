using System.Management.Automation;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.RegistryServer;

/// <summary>
/// <para type="synopsis">Stops a registry started with Start-Registry.</para>
/// <para type="description">Stops the dockps-registry running on -Port: sends it SIGTERM, waits until it has exited (it finishes the requests in flight) and removes its record. Accepts DockRegistryServer objects from Get-Registry or Start-Registry through the pipeline. The stored images stay in the registry's folder.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Registry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockRegistryServer))]
public sealed class StopRegistryCommand : RegistryServerCmdlet
{
    #region Parameters

    /// <summary><para type="description">The port of the registry to stop.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryPortCompleter))]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary><para type="description">How long to wait for the registry to exit, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><para type="description">Write the stopped registry's object.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Stops the registry on each port given.</summary>
    protected override void ProcessRecord()
    {
        if (RegistryServerProcess.List().FirstOrDefault(s => s.Port == Port) is not { } server)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No registry started with Start-Registry is running on port {Port}."),
                "RegistryNotRunning", ErrorCategory.ObjectNotFound, Port));
            return;
        }
        if (!ShouldProcess($"dockps-registry (pid {server.Pid}) at {server.Url}, storing under {server.Path}", "Stop")) { return; }
        bool stopped;
        try { stopped = RegistryServerProcess.Stop(server, TimeSpan.FromSeconds(TimeoutSeconds), Cancellation); }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        if (!stopped)
        {
            WriteError(new ErrorRecord(new TimeoutException($"dockps-registry (pid {server.Pid}) did not exit within {TimeoutSeconds} s."),
                "RegistryStopTimeout", ErrorCategory.OperationTimeout, server));
            return;
        }
        WriteVerbose($"dockps-registry (pid {server.Pid}) on port {server.Port} stopped.");
        if (PassThru) { WriteObject(server); }
    }
}
