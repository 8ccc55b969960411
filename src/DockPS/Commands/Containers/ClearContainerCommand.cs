using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Commands.Images;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Removes every stopped container.</para>
/// <para type="description">Removes all containers that are not running (created, exited, dead), like docker container prune, and writes the IDs removed and the space their layers took. -Label keeps the prune to containers with those labels (key or key=value); -Filter takes Docker's prune filters (until, label, label!).</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockPruneResult))]
public sealed class ClearContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Only containers with these labels: key, or key=value.</para></summary>
    [Parameter]
    public string[]? Label { get; set; }

    /// <summary><para type="description">Docker prune filters: a hashtable of key to value(s), e.g. @{ until = '24h' }.</para></summary>
    [Parameter]
    public Hashtable? Filter { get; set; }

    #endregion

    /// <summary>Prunes once.</summary>
    protected override void EndProcessing()
    {
        if (!ShouldProcess(ResolvedAddress, "Remove all stopped containers")) { return; }
        try
        {
            var filters = ImageObjects.Filters(Filter, [.. (Label ?? []).Select(l => ("label", (string?)l))]);
            var result = Call((c, ct) => c.Containers.PruneContainersAsync(new ContainersPruneParameters { Filters = filters }, ct));
            WriteObject(new DockPruneResult
            {
                Deleted = result.ContainersDeleted?.ToArray() ?? [],
                SpaceReclaimed = (long)result.SpaceReclaimed,
            });
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "ClearContainerFailed", ResolvedAddress);
        }
    }
}
