using System.Text.Json;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>
/// A response of Docker JSON messages, one per line (pull, push, import, load progress). The
/// response starts with the first message, so failures before it still answer with a status
/// code; failures after it are sent as an error message, which the docker CLI prints.
/// </summary>
public sealed class ProgressStream(HttpContext context)
{
    /// <summary>Whether any message was sent.</summary>
    public bool Started => context.Response.HasStarted;

    /// <summary>Sends one message and flushes it to the client.</summary>
    public async Task Write(JSONMessage message)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, message, WireJsonContext.Default.JSONMessage, context.RequestAborted);
        await context.Response.Body.WriteAsync("\r\n"u8.ToArray(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Sends an error as the stream's last message.</summary>
    public Task Fail(string message) => Write(new JSONMessage { Error = new JSONError { Message = message } });
}
