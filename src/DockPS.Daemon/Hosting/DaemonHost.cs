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

        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The engine opens (disk, SQLite) while the web host is built (mostly JIT): the two meet
        // only when routes are mapped, and doing them side by side halves the time to first ping.
        long engineMs = 0, hostMs = 0;
        var opening = Task.Run(() =>
        {
            var opened = DockEngine.Open(options.ToEngineOptions());
            engineMs = clock.ElapsedMilliseconds;
            return opened;
        });
        WebApplication app;
        try
        {
            app = BuildHost(options, addresses);
            hostMs = clock.ElapsedMilliseconds;
        }
        catch
        {
            (await opening.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null))?.Dispose();
            throw;
        }
        DockEngine engine;
        try
        {
            engine = await opening;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        using var engineScope = engine;
        var builtMs = clock.ElapsedMilliseconds;
        using var pidFile = PidFile.Create(options.EffectivePidFile);
        var created = new List<string>();
        try
        {
            engine.Images.Registries = new DockPS.Engine.Images.RegistrySettings(options.InsecureRegistries, null);
            MapRoutes(app, engine);
            using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true; // SIGHUP reloads; it must not end the daemon
                Reload(options, explicitFlags, engine, app.Logger);
            });
            try { await app.StartAsync(); }
            catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // SIGINT or SIGTERM while starting: the host gives up its start; stop as after a normal run.
                app.Logger.LogInformation("shutting down (asked to stop while starting)");
                await app.DisposeAsync();
                return 0;
            }
            foreach (var unix in addresses.OfType<ListenAddress.Unix>())
            {
                created.Add(unix.Path);
                File.SetUnixFileMode(unix.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
            app.Logger.LogDebug("startup: engine open {Engine} ms, host built {Host} ms, both {Built} ms, listening {Listening} ms (since process start {Process} ms)",
                engineMs, hostMs, builtMs, clock.ElapsedMilliseconds, (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds);
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

    private static WebApplication BuildHost(DaemonOptions options, IReadOnlyList<ListenAddress> addresses)
    {
        // The host's defaults would read appsettings.json from the working directory and watch
        // that directory, recursively, for changes: from / or a home folder, thousands of inotify
        // watches, and every container's file changes woke a thread. The daemon has its own
        // configuration (daemon.json, reloaded on SIGHUP), so nothing is watched.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
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
        // A client may fire a thousand requests at once (docker-py, scripts removing containers in
        // parallel); with Kestrel's 512 queued connections the rest failed to connect (EAGAIN on a
        // unix socket). Ask for the kernel's maximum (net.core.somaxconn caps it), as Go servers do.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = int.MaxValue);
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
                        kestrel.ListenUnixSocket(unix.Path, listen => listen.Use(HalfClose.Middleware));
                        break;
                    case ListenAddress.Tcp tcp:
                        kestrel.Listen(tcp.EndPoint, listen => listen.Use(HalfClose.Middleware));
                        break;
                }
            }
        });

        var app = builder.Build();
        app.Use((context, next) => ApiErrors.Middleware(context, next));
        app.Use((context, next) => ApiVersions.Middleware(context, next));
        return app;
    }

    private static void MapRoutes(WebApplication app, DockEngine engine)
    {
        var router = new Router(RouteTable.All(engine, app.Lifetime));
        app.Run(router.Dispatch);
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
