using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Pushes an image to a registry.</para>
/// <para type="description">Uploads an image named registry/name[:tag] (give it such a name with Add-ImageTag) with the layers the registry lacks, like docker push. Layers the registry has are skipped, layers in another repository of the same registry are mounted, uploads run in parallel. A pulled image goes back with its original manifest, byte for byte. Credentials come from -Credential, else from the login Connect-Registry (or docker login) stored for the image's registry, else from the daemon's own stored logins.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DockImage))]
public sealed class PublishImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The image to push: registry/name[:tag] (no tag means latest).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference")]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Registry credentials, for this push only. Without it, the login stored for the image's registry is used (see Connect-Registry).</para></summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary><para type="description">Write the image, with the digest the registry gave it, after the push.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Pushes each image.</summary>
    protected override void ProcessRecord()
    {
        foreach (var reference in Name)
        {
            if (!ShouldProcess(reference, "Push image")) { continue; }
            var (name, tag) = ReferenceText.Split(reference);
            var transfer = new ImageTransfer(this, "Pushing");
            try
            {
                // Read on the pipeline thread: it may write a warning or verbose line.
                var auth = transfer.Auth(Credential, ReferenceText.RegistryOf(reference));
                Stream<JSONMessage>((c, progress, ct) => c.Images.PushImageAsync(name, new ImagePushParameters { Tag = tag ?? "latest" },
                    auth, progress, ct), transfer.Show);
                Cancellation.ThrowIfCancellationRequested();
                if (PassThru) { WriteObject(ImageObjects.FromInspect(Call((c, ct) => c.Images.InspectImageAsync($"{name}:{tag ?? "latest"}", ct)), ResolvedAddress)); }
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "PublishImageFailed", reference);
            }
        }
    }
}
