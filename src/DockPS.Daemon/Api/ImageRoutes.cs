using DockPS.Engine;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>The images area: list, inspect, history, tag, remove, prune, import.</summary>
public sealed class ImageRoutes(DockEngine engine)
{
    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Get("/images/json", List),
        Route.Post("/images/create", Create),
        Route.Post("/images/prune", Prune),
        Route.Get("/images/{name*}/json", Inspect),
        Route.Get("/images/{name*}/history", History),
        Route.Post("/images/{name*}/tag", Tag),
        Route.Delete("/images/{name*}", Remove),
    ];

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static bool Flag(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is "1" or "true" or "True";

    private Task List(HttpContext context)
    {
        var images = engine.Images.List(FilterSet.Parse(context.Request.Query["filters"]), Flag(context, "all"));
        return WireJson.Write(context, images.Select(ImageWire.Summary).ToList(), WireJsonUnixTimeContext.Default.ListImagesListResponse);
    }

    private Task Inspect(HttpContext context) => WireJson.Write(context, ImageWire.Inspect(engine.Images.Find(Name(context))));

    private Task History(HttpContext context)
    {
        var image = engine.Images.Find(Name(context));
        var steps = engine.Images.History(Name(context)).Select((step, i) => ImageWire.History(image, step, i == 0)).ToList();
        return WireJson.Write(context, steps, WireJsonUnixTimeContext.Default.ListImageHistoryResponse);
    }

    private async Task Tag(HttpContext context)
    {
        var repo = context.Request.Query["repo"].ToString();
        if (repo.Length == 0) { throw new BadRequestException("repo is required"); }
        var tag = context.Request.Query["tag"].ToString();
        await engine.Images.TagAsync(Name(context), tag.Length > 0 ? $"{repo}:{tag}" : repo, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status201Created;
    }

    private async Task Remove(HttpContext context)
    {
        var removed = await engine.Images.RemoveAsync(Name(context), Flag(context, "force"), !Flag(context, "noprune"), context.RequestAborted);
        await WireJson.Write(context, removed.Select(ImageWire.Removed).ToList());
    }

    private async Task Prune(HttpContext context)
    {
        var (removed, reclaimed) = await engine.Images.PruneAsync(FilterSet.Parse(context.Request.Query["filters"]), _ => false, context.RequestAborted);
        await WireJson.Write(context, new ImagesPruneResponse
        {
            ImagesDeleted = removed.Select(ImageWire.Removed).ToList(),
            SpaceReclaimed = (ulong)reclaimed,
        });
    }

    /// <summary>
    /// <c>POST /images/create</c>: with <c>fromSrc=-</c> the body is a root filesystem tarball
    /// to import (<c>docker import</c>). Progress is a stream of JSON messages, as docker expects.
    /// </summary>
    private async Task Create(HttpContext context)
    {
        var query = context.Request.Query;
        var fromSrc = query["fromSrc"].ToString();
        if (fromSrc.Length == 0)
        {
            throw new BadRequestException(query["fromImage"].Count > 0
                ? "pulling from a registry is not available in this dockpsd yet"
                : "fromImage or fromSrc is required");
        }
        if (fromSrc != "-") { throw new BadRequestException($"fromSrc must be \"-\" (the request body); importing from a URL ({fromSrc}) is not supported"); }
        var repo = query["repo"].ToString();
        var tag = query["tag"].ToString();
        var options = new ImportOptions(
            repo.Length == 0 ? null : tag.Length > 0 ? $"{repo}:{tag}" : repo,
            query["changes"].Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).ToList(),
            query["message"].ToString() is { Length: > 0 } m ? m : null,
            Platform(query["platform"].ToString()));
        // Validation errors answer with a status code; once streaming starts, errors become messages.
        var progress = new ProgressStream(context);
        var image = await engine.Images.ImportAsync(context.Request.Body, options, context.RequestAborted);
        await progress.Write(new JSONMessage { Status = image.Id.ToString() });
    }

    private static string Platform(string platform)
    {
        if (platform.Length == 0) { return SystemWire.GoArch; }
        var parts = platform.Split('/');
        if (parts.Length < 2 || parts[0] != "linux") { throw new BadRequestException($"platform \"{platform}\" is not supported: use linux/<arch>"); }
        return parts[1];
    }
}
