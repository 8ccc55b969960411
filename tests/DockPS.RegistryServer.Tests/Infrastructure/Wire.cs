using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DockPS.Registry.Client;

namespace DockPS.RegistryServer.Tests.Infrastructure;

/// <summary>A pushed image: its manifest bytes and digest, config and layer blobs.</summary>
public sealed record PushedImage(string Name, string Tag, string MediaType, byte[] Manifest, string Digest, byte[] Config, byte[] Layer);

/// <summary>
/// Raw protocol steps the suites compose, written from the spec with plain HttpClient calls so
/// they judge the server, not our client library.
/// </summary>
public static class Wire
{
    public static string NewRepo(string prefix = "conf") => $"{prefix}/r{Guid.NewGuid():n}"[..Math.Min(prefix.Length + 14, 60)];

    public static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Sha512(byte[] content) => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content));

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    /// <summary>An absolute URI for a Location header, which may be relative.</summary>
    public static Uri Resolve(HttpClient http, HttpResponseMessage response) =>
        new(http.BaseAddress!, response.Headers.Location ?? throw new Xunit.Sdk.XunitException("no Location header"));

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First()
        : response.Content.Headers.TryGetValues(name, out var content) ? content.First() : null;

    /// <summary>The first error code of a spec error body.</summary>
    public static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        using var json = JsonDocument.Parse(body);
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.GetArrayLength() > 0);
        var first = errors[0];
        Assert.True(first.TryGetProperty("message", out _), "an error has a message");
        return first.GetProperty("code").GetString();
    }

    public static ByteArrayContent Octets(byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    /// <summary>POST then PUT: the monolithic push every registry supports.</summary>
    public static async Task<string> PushBlobAsync(HttpClient http, string name, byte[] content, string? digest = null)
    {
        digest ??= Sha256(content);
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var put = new UriBuilder(Resolve(http, start));
        put.Query = (put.Query.Length > 1 ? put.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        using var done = await http.PutAsync(put.Uri, Octets(content));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        return digest;
    }

    /// <summary>An image manifest (OCI or Docker schema 2) naming a config and layers.</summary>
    public static byte[] ImageManifestJson(string mediaType, (string Digest, long Size) config, IEnumerable<(string Digest, long Size)> layers,
        string? subject = null, long subjectSize = 0, string? artifactType = null, string? configMediaType = null, string? annotation = null)
    {
        var docker = mediaType == MediaTypes.DockerManifest;
        var builder = new StringBuilder();
        builder.Append($"{{\"schemaVersion\":2,\"mediaType\":\"{mediaType}\"");
        if (artifactType is not null) { builder.Append($",\"artifactType\":\"{artifactType}\""); }
        builder.Append($",\"config\":{{\"mediaType\":\"{configMediaType ?? (docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig)}\",\"digest\":\"{config.Digest}\",\"size\":{config.Size}}}");
        builder.Append(",\"layers\":[");
        builder.Append(string.Join(',', layers.Select(l => $"{{\"mediaType\":\"{(docker ? MediaTypes.DockerLayer : MediaTypes.OciLayer)}\",\"digest\":\"{l.Digest}\",\"size\":{l.Size}}}")));
        builder.Append(']');
        if (subject is not null) { builder.Append($",\"subject\":{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{subject}\",\"size\":{subjectSize}}}"); }
        if (annotation is not null) { builder.Append($",\"annotations\":{{\"org.example.note\":\"{annotation}\"}}"); }
        builder.Append('}');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>An index (OCI) or manifest list (Docker) over child manifests.</summary>
    public static byte[] IndexJson(string mediaType, IEnumerable<(string MediaType, string Digest, long Size)> children)
    {
        var entries = children.Select(c =>
            $"{{\"mediaType\":\"{c.MediaType}\",\"digest\":\"{c.Digest}\",\"size\":{c.Size},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}");
        return Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{mediaType}\",\"manifests\":[{string.Join(',', entries)}]}}");
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(HttpClient http, string name, string reference, byte[] manifest, string mediaType)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await http.PutAsync($"/v2/{name}/manifests/{reference}", content);
    }

    /// <summary>Pushes a config, one small layer and a manifest tagged <paramref name="tag"/>.</summary>
    public static async Task<PushedImage> PushImageAsync(HttpClient http, string name, string tag = "latest", string mediaType = MediaTypes.OciManifest)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}},\"n\":\"{Guid.NewGuid():n}\"}}");
        var layer = RandomBytes(3000);
        var configDigest = await PushBlobAsync(http, name, config);
        var layerDigest = await PushBlobAsync(http, name, layer);
        var manifest = ImageManifestJson(mediaType, (configDigest, config.Length), [(layerDigest, layer.Length)]);
        using var put = await PutManifestAsync(http, name, tag, manifest, mediaType);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new PushedImage(name, tag, mediaType, manifest, Sha256(manifest), config, layer);
    }

    /// <summary>Every file under <paramref name="root"/> whose path mentions <paramref name="hex"/>.</summary>
    public static IReadOnlyList<string> FilesMentioning(string root, string hex) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => p.Contains(hex, StringComparison.Ordinal)).ToList()
            : [];
}
