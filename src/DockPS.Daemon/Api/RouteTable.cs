namespace DockPS.Daemon.Api;

/// <summary>Every route the daemon serves, gathered from the area route classes.</summary>
public static class RouteTable
{
    /// <summary>All routes.</summary>
    public static IEnumerable<Route> All(IServiceProvider services) =>
        services.GetRequiredService<SystemRoutes>().Table()
            .Concat(services.GetRequiredService<VolumeRoutes>().Table());
}
