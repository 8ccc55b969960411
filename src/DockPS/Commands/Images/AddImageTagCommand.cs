using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Gives an image another name.</para>
/// <para type="description">Adds the name -Tag (name[:tag], e.g. localhost:5000/team/app:1.0) to the image -Name, like docker tag. A name that pointed at another image moves to this one.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "ImageTag", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DockImage))]
public sealed class AddImageTagCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The image to name: a name or an ID.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Source")]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary><para type="description">The new names (name[:tag]; no tag means latest).</para></summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Target")]
    public string[] Tag { get; set; } = [];

    /// <summary><para type="description">Write the image with its new names.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Adds each name.</summary>
    protected override void ProcessRecord()
    {
        foreach (var target in Tag)
        {
            if (!ShouldProcess(Name, $"Tag as {target}")) { continue; }
            var (repo, tag) = DockPS.Client.ReferenceText.Split(target);
            try
            {
                Call((c, ct) => c.Images.TagImageAsync(Name, new ImageTagParameters { RepositoryName = repo, Tag = tag }, ct).ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, ct));
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "AddImageTagFailed", target);
                return;
            }
        }
        if (PassThru) { WriteObject(ImageObjects.FromInspect(Call((c, ct) => c.Images.InspectImageAsync(Name, ct)), ResolvedAddress)); }
    }
}
