using System.Globalization;
using DockPS.Engine;
using DockPS.Engine.Containers;
using DockPS.Engine.Filters;
using Docker.DotNet.Models;
using Version = System.Version;

namespace DockPS.Daemon.Api;

/// <summary>The containers area: create, list, inspect, the lifecycle, attach, logs, remove, prune.</summary>
public sealed class ContainerRoutes(DockEngine engine, IHostApplicationLifetime lifetime)
{
    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Post("/containers/create", Create),
        Route.Get("/containers/json", List),
        Route.Post("/containers/prune", Prune),
        Route.Get("/containers/{id}/json", Inspect),
        Route.Post("/containers/{id}/start", Start),
        Route.Post("/containers/{id}/stop", Stop),
        Route.Post("/containers/{id}/restart", Restart),
        Route.Post("/containers/{id}/kill", Kill),
        Route.Post("/containers/{id}/wait", Wait),
        Route.Post("/containers/{id}/attach", Attach),
        Route.Get("/containers/{id}/logs", Logs),
        Route.Post("/containers/{id}/resize", Resize),
        Route.Delete("/containers/{id}", Remove),
    ];

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private static bool Flag(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is "1" or "true" or "True";

    private static int? Int(HttpContext context, string name)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0) { return null; }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BadRequestException($"invalid value for {name}: {text}");
    }

    private async Task Create(HttpContext context)
    {
        var body = await WireJson.ReadBody<ContainerCreateBody>(context);
        var name = context.Request.Query["name"].ToString();
        var container = await engine.Containers.CreateAsync(name, ContainerWire.ToEngine(body), context.RequestAborted);
        await WireJson.Write(context, new CreateContainerResponse { ID = container.Id, Warnings = [] }, StatusCodes.Status201Created);
    }

    private Task List(HttpContext context)
    {
        var containers = engine.Containers.List(Flag(context, "all"), Int(context, "limit"), FilterSet.Parse(context.Request.Query["filters"]));
        var withSize = Flag(context, "size");
        var list = containers.Select(c => ContainerWire.Summary(c, withSize ? engine.Containers.Size(c) : null)).ToList();
        return WireJson.Write(context, list, WireJsonUnixTimeContext.Default.ListContainerSummary);
    }

    private Task Inspect(HttpContext context)
    {
        var container = engine.Containers.Find(Id(context));
        var response = ContainerWire.Inspect(container, engine.Containers.Files);
        if (Flag(context, "size")) { (response.SizeRw, response.SizeRootFs) = engine.Containers.Size(container); }
        return WireJson.Write(context, response);
    }

    private async Task Start(HttpContext context)
    {
        var started = await engine.Containers.StartAsync(Id(context), context.RequestAborted);
        context.Response.StatusCode = started ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    private async Task Stop(HttpContext context)
    {
        var stopped = await engine.Containers.StopAsync(Id(context), Int(context, "t"), NonEmpty(context, "signal"), context.RequestAborted);
        context.Response.StatusCode = stopped ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    private async Task Restart(HttpContext context)
    {
        await engine.Containers.RestartAsync(Id(context), Int(context, "t"), NonEmpty(context, "signal"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task Kill(HttpContext context)
    {
        await engine.Containers.KillAsync(Id(context), NonEmpty(context, "signal"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string? NonEmpty(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Waits for the container, answering 200 at once and the body when it exits, so a client
    /// knows the wait is in place before it starts the container (as <c>docker run</c> does).
    /// </summary>
    private async Task Wait(HttpContext context)
    {
        var condition = NonEmpty(context, "condition");
        var wait = engine.Containers.WaitAsync(Id(context), condition, context.RequestAborted);
        if (wait.IsFaulted) { await wait; }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        ContainerWaitResponse answer;
        try
        {
            var state = await wait;
            answer = new ContainerWaitResponse
            {
                StatusCode = state.ExitCode,
                Error = state.Error.Length > 0 ? new WaitExitError { Message = state.Error } : null,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            answer = new ContainerWaitResponse { StatusCode = -1, Error = new WaitExitError { Message = e.Message } };
        }
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, answer, WireJson.TypeInfo<ContainerWaitResponse>(), context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    private async Task Attach(HttpContext context)
    {
        var container = engine.Containers.Find(Id(context));
        var options = new AttachOptions(
            Stdin: Flag(context, "stdin"),
            Stdout: Flag(context, "stdout"),
            Stderr: Flag(context, "stderr"),
            Stream: Flag(context, "stream"),
            Logs: Flag(context, "logs"));
        var streams = await Hijack.TakeOverAsync(context, multiplexed: !container.Config.Tty);
        using var life = Hijack.Lifetime(context, lifetime);
        try { await engine.Containers.AttachAsync(container.Id, options, streams.Input, streams.Output, life.Token); }
        finally { Hijack.Finish(context, streams); }
    }

    /// <summary>
    /// <c>docker logs</c>: the json-file log, framed by stream unless the container has a terminal;
    /// with follow, new lines until the container stops or the client goes.
    /// </summary>
    private async Task Logs(HttpContext context)
    {
        var container = engine.Containers.Find(Id(context));
        var stdout = Flag(context, "stdout");
        var stderr = Flag(context, "stderr");
        if (!stdout && !stderr) { throw new BadRequestException("Bad parameters: you must choose at least one stream"); }
        var tail = context.Request.Query["tail"].ToString();
        var options = new Engine.Containers.Logs.LogReadOptions
        {
            Stdout = stdout,
            Stderr = stderr,
            Follow = Flag(context, "follow"),
            Tail = tail is "" or "all" ? null
                : int.TryParse(tail, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? (n < 0 ? null : n)
                : throw new BadRequestException($"invalid value for tail: {tail}"),
            Since = LogTime(context, "since"),
            Until = LogTime(context, "until"),
        };
        context.Response.ContentType = !container.Config.Tty && ApiVersions.Of(context) >= new Version(1, 42)
            ? "application/vnd.docker.multiplexed-stream"
            : "application/vnd.docker.raw-stream";
        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.StartAsync(context.RequestAborted);
        await engine.Containers.WriteLogsAsync(container.Id, options, Flag(context, "timestamps"), context.Response.Body, context.RequestAborted);
    }

    // Unix seconds with an optional fraction (what the docker CLI sends), or an RFC 3339 time; 0 is "not set".
    private static DateTimeOffset? LogTime(HttpContext context, string name)
    {
        var text = context.Request.Query[name].ToString();
        if (text is "" or "0") { return null; }
        var dot = text.IndexOf('.');
        var secondsText = dot < 0 ? text : text[..dot];
        if (long.TryParse(secondsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            var fraction = dot < 0 ? "" : text[(dot + 1)..];
            if (fraction.Length > 9 || !fraction.All(char.IsAsciiDigit)) { throw new BadRequestException($"invalid value for {name}: {text}"); }
            var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new BadRequestException($"invalid value for {name}: {text}");
    }

    private async Task Resize(HttpContext context)
    {
        var height = Int(context, "h") ?? throw new BadRequestException("h is required");
        var width = Int(context, "w") ?? throw new BadRequestException("w is required");
        await engine.Containers.ResizeAsync(Id(context), height, width, context.RequestAborted);
    }

    private async Task Remove(HttpContext context)
    {
        await engine.Containers.RemoveAsync(Id(context), Flag(context, "force"), Flag(context, "v"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task Prune(HttpContext context)
    {
        var (removed, reclaimed) = await engine.Containers.PruneAsync(FilterSet.Parse(context.Request.Query["filters"]), context.RequestAborted);
        await WireJson.Write(context, new ContainersPruneResponse { ContainersDeleted = removed.ToList(), SpaceReclaimed = (ulong)reclaimed });
    }
}
