using System.Management.Automation;
using Docker.DotNet.Models;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Removes containers.</para>
/// <para type="description">Removes containers and their writable layer, like docker rm. A running container is refused (a ResourceBusy error) unless -Force, which kills it first. -Volumes also removes the anonymous volumes the container made (named volumes stay). Takes DockContainer objects (or names and IDs) from the pipeline: Get-Container -Status exited | Remove-Container removes every stopped container.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers to remove.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Kill and remove containers that are running.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">Also remove the anonymous volumes of the containers.</para></summary>
    [Parameter]
    public SwitchParameter Volumes { get; set; }

    #endregion

    /// <summary>Removes each container; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, Force ? "Kill and remove container" : "Remove container")) { continue; }
            try
            {
                var parameters = new ContainerRemoveParameters { Force = Force, RemoveVolumes = Volumes };
                Call(async (c, ct) => { await c.Containers.RemoveContainerAsync(name, parameters, ct); return true; });
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (ContainerObjects.IsConflict(e))
            {
                // Docker's 409 here means running (or already being removed): busy, not a name clash.
                WriteFailure(e, "ContainerRunning", ErrorCategory.ResourceBusy, name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "RemoveContainerFailed", name);
            }
        }
    }
}
