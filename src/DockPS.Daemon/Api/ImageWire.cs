using DockPS.Engine.Images;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>Engine images → the Engine API's image shapes (Docker.DotNet models).</summary>
public static class ImageWire
{
    /// <summary>A <c>GET /images/json</c> entry.</summary>
    public static ImagesListResponse Summary(ImageRecord image) => new()
    {
        ID = image.Id.ToString(),
        ParentID = "",
        RepoTags = image.RepoTags.ToList(),
        RepoDigests = image.RepoDigests.ToList(),
        Created = image.Created.UtcDateTime,
        Size = image.Size,
        SharedSize = -1,
        Labels = image.Config.Config.Labels?.ToDictionary() ?? new Dictionary<string, string>(),
        Containers = -1,
    };

    /// <summary>The <c>GET /images/{name}/json</c> body.</summary>
    public static ImageInspectResponse Inspect(ImageRecord image)
    {
        var c = image.Config.Config;
        return new ImageInspectResponse
        {
            ID = image.Id.ToString(),
            RepoTags = image.RepoTags.ToList(),
            RepoDigests = image.RepoDigests.ToList(),
            Comment = image.Config.History.LastOrDefault()?.Comment ?? "",
            Created = image.Created.UtcDateTime,
            Author = image.Config.Author ?? "",
            Config = new DockerOCIImageConfig
            {
                User = c.User ?? "",
                ExposedPorts = c.ExposedPorts?.ToDictionary(p => p.Key, _ => new EmptyStruct()),
                Env = c.Env?.ToList(),
                Entrypoint = c.Entrypoint?.ToList(),
                Cmd = c.Cmd?.ToList(),
                Volumes = c.Volumes?.ToDictionary(v => v.Key, _ => new EmptyStruct()),
                WorkingDir = c.WorkingDir ?? "",
                Labels = c.Labels?.ToDictionary(),
                StopSignal = c.StopSignal,
                OnBuild = c.OnBuild?.ToList(),
                ArgsEscaped = c.ArgsEscaped,
            },
            Architecture = image.Config.Architecture,
            Variant = image.Config.Variant,
            Os = image.Config.Os,
            Size = image.Size,
            GraphDriver = new DriverData { Name = "overlay2", Data = new Dictionary<string, string>() },
            RootFS = new RootFS { Type = "layers", Layers = image.Config.RootFs.DiffIds.ToList() },
            Metadata = new Metadata { LastTagTime = null },
        };
    }

    /// <summary>One <c>GET /images/{name}/history</c> entry; only the newest step carries the ID and tags.</summary>
    public static ImageHistoryResponse History(ImageRecord image, HistoryStep step, bool newest) => new()
    {
        ID = newest ? image.Id.ToString() : "<missing>",
        Created = (step.Entry.Created ?? image.Created).UtcDateTime,
        CreatedBy = step.Entry.CreatedBy ?? "",
        Tags = newest ? image.RepoTags.ToList() : [],
        Size = step.Size,
        Comment = step.Entry.Comment ?? "",
    };

    /// <summary>One line of a removal report.</summary>
    public static ImageDeleteResponse Removed(RemovedImage r) => new() { Untagged = r.Untagged, Deleted = r.Deleted };
}
