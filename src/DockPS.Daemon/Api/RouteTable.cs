using DockPS.Engine;

namespace DockPS.Daemon.Api;

/// <summary>Every route the daemon serves, gathered from the area route classes.</summary>
public static class RouteTable
{
    /// <summary>All routes, bound to <paramref name="engine"/>.</summary>
    public static IEnumerable<Route> All(DockEngine engine, IHostApplicationLifetime lifetime) =>
        new SystemRoutes(engine, lifetime).Table()
            .Concat(new ImageRoutes(engine).Table())
            .Concat(new ContainerRoutes(engine, lifetime).Table())
            .Concat(new ExecRoutes(engine, lifetime).Table())
            .Concat(new VolumeRoutes(engine).Table());
}
