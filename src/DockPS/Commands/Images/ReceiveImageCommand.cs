using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Pulls an image from a registry.</para>
/// <para type="description">Downloads an image (registry/name[:tag] or registry/name@sha256:…) with its layers, like docker pull. Layers already present are not downloaded again; layers download in parallel and are verified against their digests. An index (multi-platform image) gives the entry for -Platform, by default the daemon's own. Credentials come from -Credential, else from the login Connect-Registry (or docker login) stored for the image's registry, else from the daemon's own stored logins. Shows one progress bar per layer; Ctrl+C cancels and leaves nothing half-pulled.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "Image")]
[OutputType(typeof(DockImage))]
public sealed class ReceiveImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The image to pull: registry/name[:tag] or registry/name@sha256:… (no tag means latest).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Reference")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">The platform to pull from a multi-platform image: linux/amd64, linux/arm64/v8, …</para></summary>
    [Parameter]
    public string? Platform { get; set; }

    /// <summary><para type="description">Registry credentials, for this pull only. Without it, the login stored for the image's registry is used (see Connect-Registry).</para></summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    #endregion

    /// <summary>Pulls each image and writes it.</summary>
    protected override void ProcessRecord()
    {
        foreach (var reference in Name)
        {
            var (name, tag) = ReferenceText.Split(reference);
            var transfer = new ImageTransfer(this, "Pulling");
            try
            {
                // Read on the pipeline thread: it may write a warning or verbose line.
                var auth = transfer.Auth(Credential, ReferenceText.RegistryOf(reference));
                Stream<JSONMessage>((c, progress, ct) => c.Images.CreateImageAsync(
                    new ImagesCreateParameters { FromImage = name, Tag = tag ?? "latest", Platform = Platform },
                    auth, progress, ct), transfer.Show);
                Cancellation.ThrowIfCancellationRequested();
                var pulled = tag is null ? $"{name}:latest" : reference;
                WriteObject(ImageObjects.FromInspect(Call((c, ct) => c.Images.InspectImageAsync(pulled, ct)), ResolvedAddress));
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "ReceiveImageFailed", reference);
            }
        }
    }
}
