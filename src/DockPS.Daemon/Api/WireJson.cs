using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DockPS.Daemon.Api;

/// <summary>
/// JSON on the wire. Bodies are the Docker.DotNet model types (the same ones the module reads),
/// so the two sides share one definition of every shape.
/// </summary>
public static class WireJson
{
    /// <summary>Serializer settings for responses and request bodies: source-generated metadata only.</summary>
    public static JsonSerializerOptions Options => WireJsonContext.Default.Options;

    /// <summary>The metadata for <typeparamref name="T"/>; throws naming the type when it is not in <see cref="WireJsonContext"/>.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() =>
        (JsonTypeInfo<T>)(WireJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new NotSupportedException($"{typeof(T).Name} is not listed in WireJsonContext"));

    /// <summary>Writes <paramref name="value"/> as a JSON response.</summary>
    public static Task Write<T>(HttpContext context, T value, int status = StatusCodes.Status200OK) =>
        Write(context, value, TypeInfo<T>(), status);

    /// <summary>Writes <paramref name="value"/> as a JSON response with explicit metadata (another context's).</summary>
    public static async Task Write<T>(HttpContext context, T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    /// <summary>
    /// Reads the request body as <typeparamref name="T"/>. An empty body, malformed JSON or a
    /// wrong type is a <see cref="BadRequestException"/> that names the problem and its position.
    /// </summary>
    public static async Task<T> ReadBody<T>(HttpContext context) where T : class
    {
        var type = context.Request.ContentType;
        if (type is not null && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadRequestException($"unsupported Content-Type header ({type}): must be 'application/json'");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, TypeInfo<T>(), context.RequestAborted)
                ?? throw new BadRequestException("invalid JSON: the body is null");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            var detail = e.InnerException?.Message ?? e.Message.Split(". Path:")[0];
            throw new BadRequestException($"invalid JSON{where}: {detail}", e);
        }
    }
}
