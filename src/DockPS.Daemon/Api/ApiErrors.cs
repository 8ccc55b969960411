using System.Text.Json;
using DockPS.Engine.Containers;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;
using DockPS.Engine.Layers;
using DockPS.Engine.Store;
using DockPS.Engine.Volumes;
using DockPS.Registry.Client;

namespace DockPS.Daemon.Api;

/// <summary>
/// Errors as the Engine API gives them: a status code and <c>{"message": "..."}</c>. Engine
/// exceptions are mapped to codes here, in one place, so handlers just throw.
/// </summary>
public static class ApiErrors
{
    /// <summary>Writes an error response unless the response has already started.</summary>
    public static async Task Write(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) { return; }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorResponse(message), WireJsonContext.Default.ErrorResponse) + "\n");
    }

    /// <summary>The status code for an exception thrown by a handler or the engine.</summary>
    public static int StatusFor(Exception e) => e switch
    {
        BadRequestException or FilterException or JsonException or FormatException => StatusCodes.Status400BadRequest,
        ArgumentException => StatusCodes.Status400BadRequest,
        KeyNotFoundException or FileNotFoundException => StatusCodes.Status404NotFound,
        DataRootInUseException or ImageConflictException or VolumeConflictException or ContainerConflictException => StatusCodes.Status409Conflict,
        ContainerStartException start => start.ExitCode is 126 or 127 ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError,
        RegistryAuthException => StatusCodes.Status401Unauthorized,
        RegistryNotFoundException => StatusCodes.Status404NotFound,
        RegistryException or RegistryConnectionException => StatusCodes.Status502BadGateway,
        LayerException or ContentMismatchException or InvalidImageReferenceException or InvalidDataException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Catches what handlers throw and answers with the mapped status and message.</summary>
    public static async Task Middleware(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception e)
        {
            var status = StatusFor(e);
            if (status == StatusCodes.Status500InternalServerError)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("dockpsd.api")
                    .LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            await Write(context, status, e.Message);
        }
    }

    /// <summary>The answer for a path or method no route serves (dockerd answers 404 to both).</summary>
    public static Task NotFound(HttpContext context) => Write(context, StatusCodes.Status404NotFound, "page not found");
}

/// <summary>A request that is malformed; its message says what was wrong.</summary>
public sealed class BadRequestException(string message, Exception? inner = null) : Exception(message, inner);
