using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>
/// <para type="synopsis">Gets the images on the daemon.</para>
/// <para type="description">Lists images as DockImage objects, like docker images. -Name takes names with wildcards (busy*, localhost:5000/team/*); an exact name or ID returns that image with its full configuration (architecture, layers, Cmd, Env, …). -Dangling lists only untagged images; -Filter passes Docker's filters (label, reference, before, since, dangling).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Image", DefaultParameterSetName = "Name")]
[OutputType(typeof(DockImage))]
public sealed class GetImageCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Image names (name[:tag]), IDs or wildcard patterns. Without it, every image.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("Id", "Reference")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary><para type="description">Include intermediate images.</para></summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary><para type="description">Only images no name refers to.</para></summary>
    [Parameter]
    public SwitchParameter Dangling { get; set; }

    /// <summary><para type="description">Docker image filters: a hashtable of key to value(s), e.g. @{ label = 'env=prod' }.</para></summary>
    [Parameter]
    public Hashtable? Filter { get; set; }

    #endregion

    private IList<ImagesListResponse>? _list;

    /// <summary>Writes the images each name selects (all images when no name is given).</summary>
    protected override void ProcessRecord()
    {
        try
        {
            if (Name is null) { WriteImages(_ => true); return; }
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
                    WriteImages(i => (i.RepoTags ?? []).Any(t => pattern.IsMatch(t) || pattern.IsMatch(t[..Math.Max(0, t.LastIndexOf(':'))])));
                    continue;
                }
                try
                {
                    var image = Call((c, ct) => c.Images.InspectImageAsync(name, ct));
                    WriteObject(ImageObjects.FromInspect(image, ResolvedAddress));
                }
                catch (Docker.DotNet.DockerImageNotFoundException e)
                {
                    WriteFailure(e, "ImageNotFound", name);
                }
                catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    WriteFailure(e, "ImageNotFound", name);
                }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "GetImageFailed", ResolvedAddress);
        }
    }

    private void WriteImages(Func<ImagesListResponse, bool> select)
    {
        _list ??= Call((c, ct) => c.Images.ListImagesAsync(new ImagesListParameters
        {
            All = All,
            Filters = ImageObjects.Filters(Filter, ("dangling", Dangling ? "true" : null)),
        }, ct));
        foreach (var image in _list.Where(select)) { WriteObject(ImageObjects.FromSummary(image, ResolvedAddress)); }
    }
}
