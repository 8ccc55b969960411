using System.Text.Json;
using System.Threading.Channels;
using DockPS.Engine.Images;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>
/// A response of Docker JSON messages, one per line (pull, push, import, load progress). The
/// response starts with the first message, so failures before it still answer with a status
/// code; failures after it are sent as an error message, which the docker CLI prints.
/// </summary>
public sealed class ProgressStream(HttpContext context)
{
    /// <summary>Sends one message and flushes it to the client.</summary>
    public Task Write(JSONMessage message) => WriteLine(message, WireJsonContext.Default.JSONMessage);

    /// <summary>Sends one JSON line (starting the response as JSON if it has not started) and flushes it.</summary>
    private async Task WriteLine<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
        await context.Response.Body.WriteAsync("\r\n"u8.ToArray(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, streaming the progress it reports (from any thread, in order)
    /// as JSON messages. An error before the first message propagates (a status code answers it);
    /// after it, the error becomes the stream's last message.
    /// </summary>
    public async Task Run(Func<IProgress<TransferProgress>, Task> work)
    {
        var lines = Channel.CreateUnbounded<TransferProgress>(new UnboundedChannelOptions { SingleReader = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var line in lines.Reader.ReadAllAsync(context.RequestAborted)) { await Write(Message(line)); }
        });
        Exception? failure = null;
        try { await work(new ChannelReporter(lines.Writer)); }
        catch (Exception e) { failure = e; }
        lines.Writer.Complete();
        await writer;
        if (failure is null) { return; }
        if (!context.Response.HasStarted) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure); }
        await WriteError(failure.Message);
    }

    /// <summary>
    /// Ends the stream with an error, in both of dockerd's spellings: <c>errorDetail</c>, which the
    /// docker CLI reads, and the plain <c>error</c> string older clients (python docker, compose) check.
    /// </summary>
    public Task WriteError(string message) =>
        WriteLine(new ProgressError(new JSONError { Message = message }, message), WireJsonContext.Default.ProgressError);

    private static JSONMessage Message(TransferProgress p) => new()
    {
        ID = p.Id,
        Status = p.Status,
        Progress = p.Current is { } current ? new JSONProgress { Current = current, Total = p.Total ?? 0 } : null,
    };

    private sealed class ChannelReporter(ChannelWriter<TransferProgress> writer) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => writer.TryWrite(value);
    }
}

/// <summary>The last message of a failed progress stream.</summary>
public sealed record ProgressError(
    [property: System.Text.Json.Serialization.JsonPropertyName("errorDetail")] JSONError ErrorDetail,
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error);
