using System.Globalization;
using DockPS.Engine;
using DockPS.Engine.Events;
using DockPS.Engine.Filters;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>The system area: <c>/_ping</c>, <c>/version</c>, <c>/info</c>, <c>/events</c>.</summary>
public sealed class SystemRoutes(DockEngine engine, IHostApplicationLifetime lifetime)
{
    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Get("/_ping", Ping),
        Route.Head("/_ping", Ping),
        Route.Get("/version", Version),
        Route.Get("/info", Info),
        Route.Get("/events", Events),
    ];

    private static async Task Ping(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        context.Response.Headers.Pragma = "no-cache";
        context.Response.Headers["Builder-Version"] = "1";
        context.Response.Headers["Swarm"] = "inactive";
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = 2;
        if (HttpMethods.IsGet(context.Request.Method)) { await context.Response.WriteAsync("OK"); }
    }

    private Task Version(HttpContext context) => WireJson.Write(context, SystemWire.Version(engine));

    private Task Info(HttpContext context) => WireJson.Write(context, SystemWire.Info(engine));

    private async Task Events(HttpContext context)
    {
        var query = context.Request.Query;
        var now = DateTimeOffset.UtcNow;
        var since = ParseTime(query["since"], "since", now);
        var until = ParseTime(query["until"], "until", now);
        var filter = new EventFilter(FilterSet.Parse(query["filters"]));

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);

        // The stream ends when the client leaves, `until` passes, or the daemon shuts down.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await foreach (var e in engine.Events.Subscribe(since, until, filter, stop.Token))
            {
                await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, SystemWire.Message(e), WireJsonContext.Default.Message, stop.Token);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Normal end of a followed stream.
        }
    }

    /// <summary>
    /// Parses Docker's timestamps: Unix seconds with optional fraction ("1700000000.5"),
    /// RFC 3339, or a Go duration relative to now ("10m", "1h30m").
    /// </summary>
    internal static DateTimeOffset? ParseTime(string? text, string name, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(text)) { return null; }
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }
        if (GoDuration.TryParse(text, out var ago)) { return now - ago; }
        throw new BadRequestException($"invalid value for {name}: \"{text}\" is not a Unix timestamp, an RFC 3339 time or a duration");
    }
}
