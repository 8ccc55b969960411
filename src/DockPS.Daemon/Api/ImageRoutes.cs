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
        Route.Get("/images/get", SaveMany),
        Route.Post("/images/load", Load),
        Route.Post("/images/create", Create),
        Route.Post("/images/prune", Prune),
        Route.Get("/images/{name*}/json", Inspect),
        Route.Get("/images/{name*}/history", History),
        Route.Get("/images/{name*}/get", Save),
        Route.Post("/images/{name*}/tag", Tag),
        Route.Post("/images/{name*}/push", Push),
        Route.Post("/auth", Auth),
        Route.Delete("/images/{name*}", Remove),
    ];

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static bool Flag(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is "1" or "true" or "True";

    private Task List(HttpContext context)
    {
        // all=1 asks for intermediate images too; DockPS makes none, so the list is the same.
        var images = engine.Images.List(FilterSet.Parse(context.Request.Query["filters"]));
        return WireJson.Write(context, images.Select(ImageWire.Summary).ToList(), WireJsonUnixTimeContext.Default.ListImagesListResponse);
    }

    private Task Inspect(HttpContext context) => WireJson.Write(context, ImageWire.Inspect(engine.Images.Find(Name(context))));

    private Task History(HttpContext context)
    {
        var image = engine.Images.Find(Name(context));
        var steps = ImageService.History(image).Select((step, i) => ImageWire.History(image, step, i == 0)).ToList();
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
        // noprune keeps untagged parents; DockPS makes no parent images, so it changes nothing.
        var removed = await engine.Images.RemoveAsync(Name(context), Flag(context, "force"), context.RequestAborted);
        await WireJson.Write(context, removed.Select(ImageWire.Removed).ToList());
    }

    private async Task Prune(HttpContext context)
    {
        var (removed, reclaimed) = await engine.Images.PruneAsync(FilterSet.Parse(context.Request.Query["filters"]), context.RequestAborted);
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
            var fromImage = query["fromImage"].ToString();
            if (fromImage.Length == 0) { throw new BadRequestException("fromImage or fromSrc is required"); }
            var pullTag = query["tag"].ToString();
            // docker pull sends the tag (or a digest) apart from the name.
            var reference = pullTag.Length == 0 ? fromImage
                : pullTag.StartsWith("sha256:", StringComparison.Ordinal) ? $"{fromImage}@{pullTag}" : $"{fromImage}:{pullTag}";
            var platform = PlatformOf(query["platform"].ToString());
            var credential = RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]);
            await new ProgressStream(context).Run(progress => engine.Images.PullAsync(reference, platform, credential, progress, context.RequestAborted));
            return;
        }
        if (fromSrc != "-") { throw new BadRequestException($"fromSrc must be \"-\" (the request body); importing from a URL ({fromSrc}) is not supported"); }
        var repo = query["repo"].ToString();
        var tag = query["tag"].ToString();
        var options = new ImportOptions(
            repo.Length == 0 ? null : tag.Length > 0 ? $"{repo}:{tag}" : repo,
            query["changes"].Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).ToList(),
            query["message"].ToString() is { Length: > 0 } m ? m : null,
            PlatformOf(query["platform"].ToString()).Architecture);
        // Validation errors answer with a status code; once streaming starts, errors become messages.
        var progress = new ProgressStream(context);
        var image = await engine.Images.ImportAsync(context.Request.Body, options, context.RequestAborted);
        await progress.Write(new JSONMessage { Status = image.Id.ToString() });
    }

    /// <summary><c>GET /images/get?names=…</c>: one archive of several images (docker save).</summary>
    private Task SaveMany(HttpContext context) =>
        WriteArchive(context, context.Request.Query["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList());

    /// <summary><c>GET /images/{name}/get</c>: one image's archive.</summary>
    private Task Save(HttpContext context) => WriteArchive(context, [Name(context)]);

    /// <summary>
    /// Streams the archive. The images are resolved before the first byte goes out, so an unknown
    /// name still answers 404; a failure mid-stream aborts the connection, as a tar cannot carry an error.
    /// </summary>
    private async Task WriteArchive(HttpContext context, IReadOnlyList<string> names)
    {
        if (names.Count == 0) { throw new BadRequestException("names is required: the images to save"); }
        context.Response.ContentType = "application/x-tar";
        try { await engine.Images.SaveAsync(names, context.Response.Body, context.RequestAborted); }
        catch (Exception) when (context.Response.HasStarted)
        {
            context.Abort();
        }
    }

    /// <summary><c>POST /images/load</c>: the body is a docker-save or OCI layout archive (docker load).</summary>
    private async Task Load(HttpContext context)
    {
        var quiet = Flag(context, "quiet");
        var platform = PlatformOf(context.Request.Query["platform"].ToString());
        await new ProgressStream(context).Run(progress => engine.Images.LoadAsync(context.Request.Body, platform,
            quiet ? new QuietProgress(progress) : progress, context.RequestAborted));
    }

    /// <summary>Passes only the lines without a layer ID: the result lines of a quiet load.</summary>
    private sealed class QuietProgress(IProgress<TransferProgress> inner) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (value.Id is null) { inner.Report(value); }
        }
    }

    /// <summary>"linux/arm64/v8" → parts; empty means this host's platform.</summary>
    private static (string Os, string Architecture, string? Variant) PlatformOf(string platform)
    {
        if (platform.Length == 0) { return ("linux", SystemWire.GoArch, null); }
        var parts = platform.Split('/');
        if (parts.Length is < 2 or > 3 || parts[0] != "linux") { throw new BadRequestException($"platform \"{platform}\" is not supported: use linux/<arch>[/<variant>]"); }
        return (parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    /// <summary><c>POST /images/{name}/push</c>: pushes the image's tag (all its tags of that name when none is given is not supported: name one, or latest is used).</summary>
    private async Task Push(HttpContext context)
    {
        var name = Name(context);
        var tag = context.Request.Query["tag"].ToString();
        var reference = tag.Length > 0 ? $"{name}:{tag}" : name;
        var credential = RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]);
        await new ProgressStream(context).Run(progress => engine.Images.PushAsync(reference, credential, progress, context.RequestAborted));
    }

    /// <summary><c>POST /auth</c>: checks credentials against a registry (docker login).</summary>
    private async Task Auth(HttpContext context)
    {
        var config = await WireJson.ReadBody<AuthConfig>(context);
        var server = RegistryAuth.ServerOf(config.ServerAddress);
        var reference = DockPS.Registry.Client.ImageReference.Parse(server + "/login-check");
        using var client = engine.Images.ClientFor(reference, RegistryAuth.ToCredential(config));
        await client.PingAsync(context.RequestAborted);
        await WireJson.Write(context, new AuthResponse { Status = "Login Succeeded", IdentityToken = "" });
    }
}
