using System.Management.Automation;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Makes an image from a root filesystem tarball, or loads the images of an image archive.</para>
/// <para type="description">Given a tarball (plain, gzip or zstd) of a root filesystem, uploads it and makes a one-layer image from it, like docker import; -Change applies Dockerfile instructions to the image configuration (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR). Given an image archive — a docker save tar, an OCI image layout tar, or an OCI image layout directory — loads every image in it with its names, like docker load. Which of the two a file is, the names of its first entries tell. Writes the images made or loaded. Shows the upload with Write-Progress; Ctrl+C cancels and leaves nothing behind.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "Image")]
[OutputType(typeof(DockImage))]
public sealed class ImportImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The root filesystem tarball, or the image archive (file or OCI layout directory), to import.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">The name to give an image made from a root filesystem (name[:tag]); without it the image is untagged. An archive names its images itself.</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Reference { get; set; }

    /// <summary><para type="description">Dockerfile instructions to apply to an image made from a root filesystem, e.g. 'CMD ["sh"]', 'ENV PATH=/bin'.</para></summary>
    [Parameter]
    public string[] Change { get; set; } = [];

    /// <summary><para type="description">The history comment of an image made from a root filesystem.</para></summary>
    [Parameter]
    public string? Message { get; set; }

    /// <summary><para type="description">The image platform, linux/&lt;arch&gt; (default: the daemon's). For an archive holding a multi-platform image, the entry to load.</para></summary>
    [Parameter]
    public string? Platform { get; set; }

    #endregion

    /// <summary>Uploads each tarball or archive and writes the images made from it.</summary>
    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var isDirectory = Directory.Exists(path);
        if (!isDirectory && !File.Exists(path))
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"Cannot find the tarball '{path}'."), "TarballNotFound", ErrorCategory.ObjectNotFound, path));
            return;
        }
        var archive = ImageArchiveFile.IsArchive(path);
        if (isDirectory && !archive)
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{path}' is a directory but not an OCI image layout (no oci-layout, index.json or manifest.json)."),
                "NotAnImageLayout", ErrorCategory.InvalidArgument, path));
            return;
        }
        if (archive && (Reference is not null || Change.Length > 0 || Message is not null))
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{path}' is an image archive, which names its own images: -Reference, -Change and -Message apply only to a root filesystem tarball."),
                "ArchiveTakesNoReference", ErrorCategory.InvalidArgument, path));
            return;
        }
        try
        {
            using var body = isDirectory
                ? new ProgressReadStream(ImageArchiveFile.TarDirectory(path, Cancellation), ImageArchiveFile.SizeOf(path))
                : new ProgressReadStream(File.OpenRead(path));
            var messages = Upload(body, path, archive
                ? (c, progress, ct) => c.Images.LoadImageAsync(new ImageLoadParameters { Quiet = false }, body, progress, ct)
                : (c, progress, ct) =>
                {
                    var (repo, tag) = Reference is null ? (null, null) : ReferenceText.Split(Reference);
                    return c.Images.CreateImageAsync(
                        new ImagesCreateParameters { FromSrc = "-", Repo = repo, Tag = tag, Message = Message, Changes = Change.ToList(), Platform = Platform },
                        body, null, progress, ct);
                });
            var images = archive ? LoadedImages(messages) : [ImportedImage(messages)];
            // Two names of one image are two lines of a load, but one image.
            var written = new HashSet<string>();
            foreach (var image in images)
            {
                var inspected = Call((c, ct) => c.Images.InspectImageAsync(image, ct));
                if (written.Add(inspected.ID)) { WriteObject(ImageObjects.FromInspect(inspected, ResolvedAddress)); }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, archive ? "LoadImageFailed" : "ImportImageFailed", path);
        }
    }

    /// <summary>Runs an upload with a progress bar; returns the daemon's messages, throwing on an error message.</summary>
    private JSONMessage[] Upload(ProgressReadStream body, string path, Func<DockerClient, IProgress<JSONMessage>, CancellationToken, Task> send)
    {
        var messages = new List<JSONMessage>();
        var upload = send(Client, new SyncProgress<JSONMessage>(m => { lock (messages) { messages.Add(m); } }), Cancellation);
        var activity = new ProgressRecord(1, "Import-Image", $"Uploading {System.IO.Path.GetFileName(path.TrimEnd('/'))}");
        WaitWithProgress(upload, () =>
        {
            activity.PercentComplete = body.Length > 0 ? (int)Math.Min(100, 100 * body.BytesRead / body.Length) : 0;
            activity.StatusDescription = $"{body.BytesRead / 1048576.0:N1} of {body.Length / 1048576.0:N1} MiB";
            return activity;
        });
        JSONMessage[] received;
        lock (messages) { received = messages.ToArray(); }
        if (received.FirstOrDefault(m => m.Error is not null) is { } failed)
        {
            throw new DockException(failed.Error!.Message ?? "the import failed");
        }
        foreach (var status in received.Where(m => m.ID is null && m.Status is not null)) { WriteVerbose(status.Status); }
        return received;
    }

    private static string ImportedImage(JSONMessage[] messages) =>
        messages.LastOrDefault(m => m.Status?.StartsWith("sha256:", StringComparison.Ordinal) == true)?.Status
        ?? throw new DockException("the daemon did not report the new image's ID");

    /// <summary>The images a load reported ("Loaded image: name", "Loaded image ID: id"), in order, each once.</summary>
    private static List<string> LoadedImages(JSONMessage[] messages)
    {
        var loaded = new List<string>();
        foreach (var text in messages.Select(m => m.Status ?? m.Stream ?? "").Select(t => t.Trim()))
        {
            var image = text.StartsWith("Loaded image ID: ", StringComparison.Ordinal) ? text["Loaded image ID: ".Length..]
                : text.StartsWith("Loaded image: ", StringComparison.Ordinal) ? text["Loaded image: ".Length..] : null;
            if (image is not null && !loaded.Contains(image)) { loaded.Add(image); }
        }
        return loaded.Count > 0 ? loaded : throw new DockException("the daemon reported no loaded image");
    }
}
