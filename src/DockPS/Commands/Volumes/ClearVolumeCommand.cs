using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Commands.Images;
using DockPS.Types;

namespace DockPS.Commands.Volumes;

/// <summary>
/// <para type="synopsis">Removes volumes no container uses.</para>
/// <para type="description">Removes unused anonymous volumes (made without a name), or with -All every volume no container references, like docker volume prune; their data is deleted. -Label keeps the prune to volumes with those labels (key or key=value); -Filter takes Docker's prune filters (label, label!). Writes the names removed and the space reclaimed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockPruneResult))]
public sealed class ClearVolumeCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Remove every unused volume, named ones included, not only anonymous ones.</para></summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary><para type="description">Only volumes with these labels: key, or key=value.</para></summary>
    [Parameter]
    public string[]? Label { get; set; }

    /// <summary><para type="description">Docker prune filters: a hashtable of key to value(s), e.g. @{ 'label!' = 'keep' }.</para></summary>
    [Parameter]
    public Hashtable? Filter { get; set; }

    #endregion

    /// <summary>Prunes once.</summary>
    protected override void EndProcessing()
    {
        if (!ShouldProcess(ResolvedAddress, All ? "Remove all unused volumes and their data" : "Remove unused anonymous volumes and their data")) { return; }
        try
        {
            var filters = ImageObjects.Filters(Filter, [.. (Label ?? []).Select(l => ("label", (string?)l)), ("all", All ? "true" : null)]);
            var result = Call((c, ct) => c.Volumes.PruneAsync(new VolumesPruneParameters { Filters = filters }, ct));
            WriteObject(new DockPruneResult
            {
                Deleted = result.VolumesDeleted?.ToArray() ?? [],
                SpaceReclaimed = (long)result.SpaceReclaimed,
            });
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "ClearVolumeFailed", ResolvedAddress);
        }
    }
}
