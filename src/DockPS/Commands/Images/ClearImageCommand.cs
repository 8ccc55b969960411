using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Removes images nothing needs.</para>
/// <para type="description">Removes dangling images (no name refers to them), or with -All every image no container uses, like docker image prune. -Filter takes Docker's prune filters (label, label!, until). Writes what was removed and the space reclaimed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockPruneResult))]
public sealed class ClearImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Remove every unused image, not only dangling ones.</para></summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary><para type="description">Docker prune filters: a hashtable of key to value(s), e.g. @{ until = '24h' }.</para></summary>
    [Parameter]
    public Hashtable? Filter { get; set; }

    #endregion

    /// <summary>Prunes once.</summary>
    protected override void EndProcessing()
    {
        if (!ShouldProcess(ResolvedAddress, All ? "Remove all unused images" : "Remove dangling images")) { return; }
        try
        {
            var result = Call((c, ct) => c.Images.PruneImagesAsync(new ImagesPruneParameters
            {
                Filters = ImageObjects.Filters(Filter, ("dangling", All ? "false" : null)),
            }, ct));
            WriteObject(new DockPruneResult
            {
                Deleted = result.ImagesDeleted?.Select(d => d.Deleted ?? d.Untagged).Where(x => x is not null).Select(x => x!).ToArray() ?? [],
                SpaceReclaimed = (long)result.SpaceReclaimed,
            });
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "ClearImageFailed", ResolvedAddress);
        }
    }
}
