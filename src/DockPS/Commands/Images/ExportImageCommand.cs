using System.Formats.Tar;
using System.Management.Automation;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>The forms Export-Image writes.</summary>
public enum ImageExportFormat
{
    /// <summary>One tar file that is both a docker save archive and an OCI image layout.</summary>
    Archive,

    /// <summary>An OCI image layout directory.</summary>
    OciLayout,
}

/// <summary>
/// <para type="synopsis">Saves images to an archive file or an OCI image layout directory.</para>
/// <para type="description">Writes images with their layers, configurations, manifests and names, like docker save. The archive is a tar that is both a docker save archive and an OCI image layout, so docker load, Import-Image, skopeo and other OCI tools all read it; -Format OciLayout writes the layout as a directory instead. Images piped in or named together go into one archive; a repository name without a tag saves every tag of it. The file appears only when complete: a failure or Ctrl+C leaves nothing behind.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "Name")]
[OutputType(typeof(FileInfo), typeof(DirectoryInfo))]
public sealed class ExportImageCommand : DockCmdlet
{
    private readonly List<string> _names = [];

    #region Parameters

    /// <summary><para type="description">Images to save: names (name:tag, or a repository name for all its tags) or IDs.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Name")]
    [Alias("Reference")]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Images from Get-Image; each is saved with all its names (by ID when it has none).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Image")]
    public DockImage[] InputObject { get; set; } = [];

    /// <summary><para type="description">The archive file (or, with -Format OciLayout, the directory) to write.</para></summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">Archive (a tar, the default) or OciLayout (a directory).</para></summary>
    [Parameter]
    public ImageExportFormat Format { get; set; } = ImageExportFormat.Archive;

    /// <summary><para type="description">Refuse to replace an existing file or a non-empty directory.</para></summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary><para type="description">Write the file or directory that was written.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Collects the names: every image of the pipeline goes into one archive.</summary>
    protected override void ProcessRecord() =>
        _names.AddRange(ParameterSetName == "Image" ? InputObject.SelectMany(i => i.Tags.Length > 0 ? i.Tags : [i.Id]) : Name);

    /// <summary>Saves the images.</summary>
    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var exists = Format == ImageExportFormat.Archive ? File.Exists(path) : Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any();
        if (exists && NoClobber)
        {
            WriteError(new ErrorRecord(new IOException($"'{path}' already exists (-NoClobber)."), "ExportTargetExists", ErrorCategory.ResourceExists, path));
            return;
        }
        if (!ShouldProcess(path, $"Save {string.Join(", ", _names)}")) { return; }
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path.TrimEnd('/'))}.{Guid.NewGuid():n}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            var names = _names.Distinct().ToArray();
            using var archive = new ProgressReadStream(Call((c, ct) => c.Images.SaveImagesAsync(names, ct)));
            var activity = new ProgressRecord(1, "Export-Image", $"Saving {string.Join(", ", names)}");
            WaitWithProgress(Write(archive, temp), () =>
            {
                activity.StatusDescription = $"{archive.BytesRead / 1048576.0:N1} MiB";
                return activity;
            });
            if (Format == ImageExportFormat.Archive)
            {
                File.Move(temp, path, overwrite: true);
                if (PassThru) { WriteObject(new FileInfo(path)); }
            }
            else
            {
                if (Directory.Exists(path)) { Directory.Delete(path, recursive: true); }
                Directory.Move(temp, path);
                if (PassThru) { WriteObject(new DirectoryInfo(path)); }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, "ExportImageFailed", path);
        }
        finally
        {
            if (File.Exists(temp)) { File.Delete(temp); }
            if (Directory.Exists(temp)) { Directory.Delete(temp, recursive: true); }
        }
    }

    /// <summary>Writes the archive to <paramref name="temp"/>: the tar as it is, or unpacked (a layout directory).</summary>
    private Task Write(Stream archive, string temp) => Format == ImageExportFormat.Archive
        ? Task.Run(async () =>
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
            await archive.CopyToAsync(file, 1 << 20, Cancellation);
            file.Flush(flushToDisk: true);
        })
        : Task.Run(async () =>
        {
            Directory.CreateDirectory(temp);
            await TarFile.ExtractToDirectoryAsync(archive, temp, overwriteFiles: false, Cancellation);
        });
}
