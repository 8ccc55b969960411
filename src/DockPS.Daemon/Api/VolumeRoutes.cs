using System.Globalization;
using DockPS.Engine;
using DockPS.Engine.Filters;
using DockPS.Engine.Volumes;
using Docker.DotNet.Models;
using Version = System.Version;

namespace DockPS.Daemon.Api;

/// <summary>The volumes area: create, list, inspect, remove, prune.</summary>
public sealed class VolumeRoutes(DockEngine engine)
{
    // API 1.42 made prune take only anonymous volumes unless all=true; older clients meant all.
    private static readonly System.Version PruneAnonymousOnlySince = new(1, 42);

    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Get("/volumes", List),
        Route.Post("/volumes/create", Create),
        Route.Post("/volumes/prune", Prune),
        Route.Get("/volumes/{name}", Inspect),
        Route.Delete("/volumes/{name}", Remove),
    ];

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private Task List(HttpContext context)
    {
        var volumes = engine.Volumes.List(FilterSet.Parse(context.Request.Query["filters"]));
        return WireJson.Write(context, new VolumesListResponse { Volumes = volumes.Select(ToWire).ToList(), Warnings = [] });
    }

    private async Task Create(HttpContext context)
    {
        var request = await WireJson.ReadBody<VolumesCreateParameters>(context);
        var volume = await engine.Volumes.CreateAsync(request.Name, request.Driver, NoNulls(request.Labels), NoNulls(request.DriverOpts), context.RequestAborted);
        await WireJson.Write(context, ToWire(volume), StatusCodes.Status201Created);
    }

    private Task Inspect(HttpContext context) => WireJson.Write(context, ToWire(engine.Volumes.Get(Name(context))));

    private async Task Remove(HttpContext context)
    {
        // dockerd's reading of a boolean query value: anything but empty, 0, no, false or none is true.
        var force = context.Request.Query["force"].ToString().Trim().ToLowerInvariant() is not ("" or "0" or "no" or "false" or "none");
        await engine.Volumes.RemoveAsync(Name(context), force, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task Prune(HttpContext context)
    {
        var filters = FilterSet.Parse(context.Request.Query["filters"]);
        if (ApiVersions.Of(context) < PruneAnonymousOnlySince)
        {
            filters = FilterSet.From(filters.Keys.SelectMany(k => filters.Get(k).Select(v => new KeyValuePair<string, string>(k, v)))
                .Append(new("all", "true")));
        }
        var (deleted, reclaimed) = await engine.Volumes.PruneAsync(filters, context.RequestAborted);
        await WireJson.Write(context, new VolumesPruneResponse { VolumesDeleted = deleted.ToList(), SpaceReclaimed = (ulong)reclaimed });
    }

    /// <summary>A JSON <c>{"k": null}</c> label or option is an empty string, as Go reads it.</summary>
    private static Dictionary<string, string>? NoNulls(IDictionary<string, string>? values) =>
        values?.ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.Ordinal);

    /// <summary>A stored volume in the API's shape (RFC 3339 time, seconds, UTC, as the local driver reports it).</summary>
    public static VolumeResponse ToWire(VolumeRecord v) => new()
    {
        Name = v.Name,
        Driver = v.Driver,
        Mountpoint = v.Mountpoint,
        CreatedAt = v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Labels = v.Labels.ToDictionary(),
        Options = v.Options.ToDictionary(),
        Scope = "local",
    };
}
