using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Gets how an image was made, step by step.</para>
/// <para type="description">Returns the image's history, newest step first, with the size each step added, like docker history.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ImageHistory")]
[OutputType(typeof(DockImageHistory))]
public sealed class GetImageHistoryCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The image: a name or an ID.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string Name { get; set; } = "";

    #endregion

    /// <summary>Writes the steps of each image.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            foreach (var step in Call((c, ct) => c.Images.GetImageHistoryAsync(Name, ct)))
            {
                WriteObject(new DockImageHistory
                {
                    Id = step.ID,
                    Created = step.Created.ToLocalTime(),
                    CreatedBy = step.CreatedBy ?? "",
                    Size = step.Size,
                    Comment = step.Comment ?? "",
                    Tags = step.Tags?.ToArray() ?? [],
                });
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, "GetImageHistoryFailed", Name);
        }
    }
}
