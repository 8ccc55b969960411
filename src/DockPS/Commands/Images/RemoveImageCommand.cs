using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Removes images, or names of images.</para>
/// <para type="description">Removes a name (name:tag) from its image, and the image itself with its unused layers once no name is left, like docker rmi. Removing by ID removes the image; an image with several names needs -Force. Takes DockImage objects from Get-Image through the pipeline.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockImageRemoval))]
public sealed class RemoveImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Image names (name:tag) or IDs.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Reference")]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Remove the image even when several names refer to it.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">Keep untagged parent images.</para></summary>
    [Parameter]
    public SwitchParameter NoPrune { get; set; }

    /// <summary><para type="description">Write what was untagged and deleted.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Removes each name; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Remove image")) { continue; }
            try
            {
                var report = Call((c, ct) => c.Images.DeleteImageAsync(name, new ImageDeleteParameters { Force = Force, NoPrune = NoPrune }, ct));
                foreach (var line in report)
                {
                    foreach (var (action, target) in line)
                    {
                        WriteVerbose($"{action}: {target}");
                        if (PassThru) { WriteObject(new DockImageRemoval { Action = action, Target = target }); }
                    }
                }
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "RemoveImageFailed", name);
            }
        }
    }
}
