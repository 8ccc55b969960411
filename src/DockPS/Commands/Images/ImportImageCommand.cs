using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Makes an image from a root filesystem tarball.</para>
/// <para type="description">Uploads a tarball (plain, gzip or zstd) of a root filesystem and makes a one-layer image from it, like docker import. -Change applies Dockerfile instructions to the image configuration (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR). Shows the upload with Write-Progress; Ctrl+C cancels and leaves nothing behind.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "Image")]
[OutputType(typeof(DockImage))]
public sealed class ImportImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The tarball to import.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">The name to give the image (name[:tag]); without it the image is untagged.</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Reference { get; set; }

    /// <summary><para type="description">Dockerfile instructions to apply, e.g. 'CMD ["sh"]', 'ENV PATH=/bin'.</para></summary>
    [Parameter]
    public string[] Change { get; set; } = [];

    /// <summary><para type="description">The history comment of the image.</para></summary>
    [Parameter]
    public string? Message { get; set; }

    /// <summary><para type="description">The image platform, linux/&lt;arch&gt; (default: the daemon's).</para></summary>
    [Parameter]
    public string? Platform { get; set; }

    #endregion

    /// <summary>Uploads each tarball and writes the image made from it.</summary>
    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(path))
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"Cannot find the tarball '{path}'."), "TarballNotFound", ErrorCategory.ObjectNotFound, path));
            return;
        }
        var (repo, tag) = Reference is null ? (null, null) : ReferenceText.Split(Reference);
        try
        {
            using var file = new ProgressReadStream(File.OpenRead(path));
            var messages = new List<JSONMessage>();
            var upload = Client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromSrc = "-", Repo = repo, Tag = tag, Message = Message, Changes = Change.ToList(), Platform = Platform },
                file, null, new SyncProgress<JSONMessage>(m => { lock (messages) { messages.Add(m); } }), Cancellation);
            var activity = new ProgressRecord(1, "Import-Image", $"Uploading {System.IO.Path.GetFileName(path)}");
            WaitWithProgress(upload, () =>
            {
                activity.PercentComplete = file.Length > 0 ? (int)(100 * file.BytesRead / file.Length) : 0;
                activity.StatusDescription = $"{file.BytesRead / 1048576.0:N1} of {file.Length / 1048576.0:N1} MiB";
                return activity;
            });
            JSONMessage[] received;
            lock (messages) { received = messages.ToArray(); }
            if (received.FirstOrDefault(m => m.Error is not null) is { } failed)
            {
                throw new DockException(failed.Error!.Message ?? "the import failed");
            }
            var id = received.LastOrDefault(m => m.Status?.StartsWith("sha256:", StringComparison.Ordinal) == true)?.Status
                ?? throw new DockException("the daemon did not report the new image's ID");
            WriteObject(ImageObjects.FromInspect(Call((c, ct) => c.Images.InspectImageAsync(id, ct)), ResolvedAddress));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, "ImportImageFailed", path);
        }
    }
}
