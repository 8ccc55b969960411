using System.Globalization;
using DockPS.Engine;
using DockPS.Engine.Filters;
using DockPS.Engine.Volumes;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>The volumes area. Listing lands with the foundation; create, inspect and remove come with containers.</summary>
public sealed class VolumeRoutes(DockEngine engine)
{
    private static readonly IReadOnlySet<string> ListFilters = new HashSet<string> { "name", "driver", "label" };

    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Get("/volumes", List),
    ];

    private Task List(HttpContext context)
    {
        var filters = FilterSet.Parse(context.Request.Query["filters"]);
        filters.Validate(ListFilters);
        var volumes = engine.Store.ListVolumes()
            .Where(v => !filters.Contains("name") || filters.Get("name").Any(n => v.Name.Contains(n, StringComparison.Ordinal)))
            .Where(v => filters.ExactMatch("driver", v.Driver))
            .Where(v => filters.MatchLabels("label", v.Labels))
            .Select(ToWire)
            .ToList();
        return WireJson.Write(context, new VolumesListResponse { Volumes = volumes, Warnings = [] });
    }

    /// <summary>A stored volume in the API's shape.</summary>
    public static VolumeResponse ToWire(VolumeRecord v) => new()
    {
        Name = v.Name,
        Driver = v.Driver,
        Mountpoint = v.Mountpoint,
        CreatedAt = v.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
        Labels = v.Labels.ToDictionary(),
        Options = v.Options.ToDictionary(),
        Scope = "local",
    };
}
