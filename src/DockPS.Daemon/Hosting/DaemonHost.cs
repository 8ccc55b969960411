using System.Runtime.InteropServices;
using DockPS.Daemon.Api;
using DockPS.Engine;

namespace DockPS.Daemon.Hosting;

/// <summary>
/// Runs dockpsd: claims the listen addresses, opens the engine, serves the API until SIGTERM or
/// SIGINT, then removes its sockets and PID file. Every failure before serving leaves nothing
/// behind and is reported as one clear line.
/// </summary>
public static class DaemonHost
{
    /// <summary>Serves until shutdown; returns the process exit code.</summary>
    public static async Task<int> RunAsync(DaemonOptions options, IReadOnlySet<string> explicitFlags, TextWriter error)
    {
        var addresses = options.Hosts.Select(ListenAddress.Parse).ToList();
        // Check every path before creating anything, so a refused start leaves the disk as it was.
        foreach (var unix in addresses.OfType<ListenAddress.Unix>()) { ListenAddress.Claim(unix); }

        using var engine = DockEngine.Open(options.ToEngineOptions());
        using var pidFile = PidFile.Create(options.EffectivePidFile);
        var created = new List<string>();
        try
        {
            var app = Build(options, addresses, engine);
            using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true; // SIGHUP reloads; it must not end the daemon
                Reload(options, explicitFlags, engine, app.Logger);
            });
            await app.StartAsync();
            foreach (var unix in addresses.OfType<ListenAddress.Unix>())
            {
                created.Add(unix.Path);
                File.SetUnixFileMode(unix.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
            app.Logger.LogInformation("API listen on {Addresses}; data root {DataRoot}; pid {Pid}",
                string.Join(", ", addresses), options.DataRoot, Environment.ProcessId);
            await app.WaitForShutdownAsync();
            app.Logger.LogInformation("shutting down");
            await app.DisposeAsync();
            return 0;
        }
        finally
        {
            foreach (var path in created.Where(FileKind.IsSocket)) { File.Delete(path); }
        }
    }

    private static WebApplication Build(DaemonOptions options, IReadOnlyList<ListenAddress> addresses, DockEngine engine)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(options.Debug ? LogLevel.Debug : LevelOf(options.LogLevel));
        // Kestrel's and the host's chatter is noise in a daemon log unless debugging.
        builder.Logging.AddFilter("Microsoft", options.Debug ? LogLevel.Information : LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton<SystemRoutes>();
        builder.Services.AddSingleton<VolumeRoutes>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // image loads and builds stream gigabytes
            foreach (var address in addresses)
            {
                switch (address)
                {
                    case ListenAddress.Unix unix:
                        Directory.CreateDirectory(Path.GetDirectoryName(unix.Path)!);
                        kestrel.ListenUnixSocket(unix.Path);
                        break;
                    case ListenAddress.Tcp tcp:
                        kestrel.Listen(tcp.EndPoint);
                        break;
                }
            }
        });

        var app = builder.Build();
        app.Use((context, next) => ApiErrors.Middleware(context, next));
        app.Use((context, next) => ApiVersions.Middleware(context, next));
        app.UseRouting();
        foreach (var route in RouteTable.All(app.Services))
        {
            app.MapMethods(route.Path, [route.Method], route.Handler);
        }
        app.MapFallback(ApiErrors.NotFound);
        return app;
    }

    private static void Reload(DaemonOptions started, IReadOnlySet<string> explicitFlags, DockEngine engine, ILogger logger)
    {
        try
        {
            var reloaded = ConfigFile.Apply(started, explicitFlags);
            engine.Reload(engine.Options with { Labels = reloaded.Labels, Debug = reloaded.Debug });
            logger.LogInformation("configuration reloaded from {File}", started.ConfigFile ?? DaemonOptions.DefaultConfigFile);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException)
        {
            logger.LogError("reload failed, keeping the running configuration: {Message}", e.Message);
        }
    }

    private static LogLevel LevelOf(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
