using System.Globalization;
using DockPS.Engine;
using DockPS.Engine.Containers;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>The exec area: create a process in a running container, start it (attached or not), inspect, resize.</summary>
public sealed class ExecRoutes(DockEngine engine, IHostApplicationLifetime lifetime)
{
    /// <summary>The routes this area serves.</summary>
    public IEnumerable<Route> Table() =>
    [
        Route.Post("/containers/{id}/exec", Create),
        Route.Post("/exec/{id}/start", Start),
        Route.Post("/exec/{id}/resize", Resize),
        Route.Get("/exec/{id}/json", Inspect),
    ];

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private async Task Create(HttpContext context)
    {
        var body = await WireJson.ReadBody<ContainerExecCreateParameters>(context);
        var exec = engine.Containers.CreateExec(Id(context), new ExecConfig
        {
            Cmd = body.Cmd?.ToList() ?? [],
            Env = body.Env?.ToList(),
            User = body.User,
            WorkingDir = body.WorkingDir,
            Tty = body.TTY,
            AttachStdin = body.AttachStdin,
            AttachStdout = body.AttachStdout,
            AttachStderr = body.AttachStderr,
            Privileged = body.Privileged,
        });
        await WireJson.Write(context, new ContainerExecCreateResponse { ID = exec.Id }, StatusCodes.Status201Created);
    }

    private async Task Start(HttpContext context)
    {
        var body = context.Request.ContentLength is > 0 || context.Request.ContentType is not null
            ? await WireJson.ReadBody<ContainerExecStartParameters>(context)
            : new ContainerExecStartParameters();
        var exec = engine.Containers.FindExec(Id(context));
        if (exec.Started) { throw new ContainerConflictException($"Error: Exec command {exec.Id} has already run"); }
        var container = engine.Containers.Find(exec.ContainerId);
        if (!container.State.Running) { throw new ContainerConflictException($"Container {container.Id} is not running"); }
        if (body.Detach)
        {
            await engine.Containers.StartExecAsync(exec.Id, null, null, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        var streams = await Hijack.TakeOverAsync(context, multiplexed: !exec.Config.Tty);
        using var life = Hijack.Lifetime(context, lifetime);
        try { await engine.Containers.StartExecAsync(exec.Id, streams.Input, streams.Output, life.Token); }
        finally { Hijack.Finish(context, streams); }
    }

    private async Task Resize(HttpContext context)
    {
        static int Size(HttpContext c, string name) =>
            int.TryParse(c.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v : throw new BadRequestException($"{name} is required and must be a number");
        await engine.Containers.ResizeExecAsync(Id(context), Size(context, "h"), Size(context, "w"), context.RequestAborted);
    }

    private Task Inspect(HttpContext context)
    {
        var exec = engine.Containers.FindExec(Id(context));
        return WireJson.Write(context, new ContainerExecInspectResponse
        {
            ID = exec.Id,
            Running = exec.Running,
            ExitCode = exec.ExitCode,
            ProcessConfig = new ExecProcessConfig
            {
                Tty = exec.Config.Tty,
                Entrypoint = exec.Config.Cmd[0],
                Arguments = exec.Config.Cmd.Skip(1).ToList(),
                Privileged = exec.Config.Privileged,
                User = exec.Config.User ?? "",
            },
            OpenStdin = exec.Config.AttachStdin,
            OpenStdout = exec.Config.AttachStdout,
            OpenStderr = exec.Config.AttachStderr,
            CanRemove = false,
            ContainerID = exec.ContainerId,
            DetachKeys = "",
            Pid = exec.Pid,
        });
    }
}
