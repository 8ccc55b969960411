using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Starts containers.</para>
/// <para type="description">Starts created or stopped containers, like docker start; one that runs already is left as it is. The container runs in the background: Get-ContainerLog shows its output, Wait-Container waits for its end. Takes DockContainer objects (or names and IDs) from the pipeline; -PassThru writes each container as it is after the start.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DockContainer))]
public sealed class StartContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers to start.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Write each started container.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Starts each container; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Start container")) { continue; }
            try
            {
                var started = Call((c, ct) => c.Containers.StartContainerAsync(name, new Docker.DotNet.Models.ContainerStartParameters(), ct));
                if (!started) { WriteVerbose($"{name} was running already."); }
                if (PassThru) { WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, name, false, ResolvedAddress, ct))); }
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "StartContainerFailed", name);
            }
        }
    }
}
