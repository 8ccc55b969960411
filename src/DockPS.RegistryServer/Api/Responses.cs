using System.Text;
using System.Text.Json;
using DockPS.Registry.Server;

namespace DockPS.RegistryServer.Api;

/// <summary>The wire shapes the registry writes: spec error bodies, JSON documents, common headers.</summary>
internal static class Responses
{
    public const string DigestHeader = "Docker-Content-Digest";

    /// <summary><c>{"errors":[{"code","message","detail"}]}</c> with the error's status.</summary>
    public static Task WriteErrorAsync(HttpContext http, DistributionException error)
    {
        var response = http.Response;
        response.StatusCode = error.Status;
        if (error.Code == DistributionErrorCode.RangeInvalid && error.Detail is { } range) { response.Headers["Range"] = range; }
        var body = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("errors");
            writer.WriteStartObject();
            writer.WriteString("code", error.WireCode);
            writer.WriteString("message", error.Message);
            if (error.Detail is null) { writer.WriteNull("detail"); } else { writer.WriteString("detail", error.Detail); }
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return WriteBodyAsync(http, "application/json", body);
    }

    /// <summary>A 404 for paths that are no endpoint of the API.</summary>
    public static Task NotFoundAsync(HttpContext http)
    {
        http.Response.StatusCode = 404;
        return WriteBodyAsync(http, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes("404 page not found\n"));
    }

    /// <summary>Writes a body with its length, or only the headers for HEAD.</summary>
    public static async Task WriteBodyAsync(HttpContext http, string contentType, byte[] body)
    {
        http.Response.ContentType = contentType;
        http.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(http.Request.Method)) { await http.Response.Body.WriteAsync(body); }
    }

    /// <summary>An empty answer with a status (Content-Length: 0, as clients expect on 201/202/204).</summary>
    public static void Empty(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        if (status != 204) { http.Response.ContentLength = 0; }
    }

    /// <summary>A document built with a JSON writer.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) { write(writer); }
        return buffer.ToArray();
    }

    /// <summary>The URL path of a repository resource; names and references are URL-safe by grammar.</summary>
    public static string PathOf(string name, string resource, string reference) => $"/v2/{name}/{resource}/{reference}";
}
