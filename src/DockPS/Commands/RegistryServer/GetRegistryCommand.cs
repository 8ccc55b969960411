using System.Management.Automation;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.RegistryServer;

/// <summary>
/// <para type="synopsis">Lists the registries started with Start-Registry that are running.</para>
/// <para type="description">Lists this user's dockps-registry processes started by Start-Registry, in this or an earlier PowerShell session, sorted by port. A registry counts as running while its PID still runs dockps-registry on its folder; the records of registries that exited are removed. With -Port, only those ports; a port with no running registry is an ObjectNotFound error.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Registry")]
[OutputType(typeof(DockRegistryServer))]
public sealed class GetRegistryCommand : RegistryServerCmdlet
{
    #region Parameters

    /// <summary><para type="description">Only the registries on these ports.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryPortCompleter))]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    #endregion

    /// <summary>Writes the running registries.</summary>
    protected override void ProcessRecord()
    {
        var running = RegistryServerProcess.List();
        if (Port is null)
        {
            WriteObject(running, enumerateCollection: true);
            return;
        }
        foreach (var port in Port)
        {
            if (running.FirstOrDefault(s => s.Port == port) is { } server) { WriteObject(server); }
            else
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No registry started with Start-Registry is running on port {port}."),
                    "RegistryNotRunning", ErrorCategory.ObjectNotFound, port));
            }
        }
    }
}
