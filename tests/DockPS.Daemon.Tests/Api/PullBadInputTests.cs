using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Daemon.Tests.Api;

/// <summary>
/// Pulls through dockpsd from a registry that serves bad content: each is a clear error, the
/// store keeps nothing of it (no blob, snapshot or temp file), and the daemon goes on serving.
/// </summary>
public sealed class PullBadInputTests : IDisposable
{
    private readonly TestDaemon _daemon = TestDaemon.Start();

    public void Dispose() => _daemon.Dispose();

    private static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Tar(string name, string content)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        }
        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) { gzip.Write(data); }
        return output.ToArray();
    }

    /// <summary>A one-layer image as a registry would serve it, with hooks to spoil each part.</summary>
    private sealed record FakeImage(byte[] Manifest, string ManifestType, Dictionary<string, byte[]> Blobs);

    private static FakeImage Image(byte[] layerTar, Func<byte[], byte[]>? spoilLayer = null, string layerType = "application/vnd.oci.image.layer.v1.tar+gzip",
        Func<byte[], byte[]>? packLayer = null, bool configLies = false)
    {
        var layer = (packLayer ?? Gzip)(layerTar);
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{Sha256(layerTar)}}}"]}}""");
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{Sha256(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"{{{layerType}}}","digest":"{{{Sha256(layer)}}}","size":{{{layer.Length}}}}]}""");
        return new FakeImage(manifest, "application/vnd.oci.image.manifest.v1+json", new()
        {
            [Sha256(config)] = configLies ? Encoding.UTF8.GetBytes("{\"architecture\":\"arm64\"}") : config,
            [Sha256(layer)] = spoilLayer?.Invoke(layer.ToArray()) ?? layer,
        });
    }

    private static LoopbackHttpServer Serve(FakeImage image) => new(request =>
    {
        if (request.Path == "/v2/") { return TestResponse.Json(200, "{}"); }
        if (request.Path == "/v2/bad/img/manifests/1")
        {
            return new TestResponse(200, image.Manifest, ("Content-Type", image.ManifestType));
        }
        var digest = request.Path["/v2/bad/img/blobs/".Length..];
        return request.Path.StartsWith("/v2/bad/img/blobs/", StringComparison.Ordinal) && image.Blobs.TryGetValue(digest, out var blob)
            ? new TestResponse(200, blob, ("Content-Type", "application/octet-stream"))
            : TestResponse.Json(404, """{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}""");
    });

    public static TheoryData<string, string> Cases => new()
    {
        { "manifest not json", "not valid JSON" },
        { "unknown layer media type", "unsupported media type" },
        { "layer digest lies", "does not match" },
        { "config digest lies", "does not match" },
        { "plain tar layer lies", "diff ID" },
        { "truncated gzip", "truncated gzip" },
        { "escaping layer", "escape" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadContentFailsThePullClearlyAndLeavesNothing(string kind, string expected)
    {
        var tar = Tar("etc/marker", "hello");
        var image = kind switch
        {
            "manifest not json" => new FakeImage("this is { not json"u8.ToArray(), "application/vnd.oci.image.manifest.v1+json", []),
            "unknown layer media type" => Image(tar, layerType: "application/x-mystery"),
            // Another gzip modification time: the same size and content, another digest.
            "layer digest lies" => Image(tar, spoilLayer: gzip => { gzip[4] ^= 0xFF; return gzip; }),
            "config digest lies" => Image(tar, configLies: true),
            // An uncompressed layer is checked by its diff ID alone (its digest is that same hash).
            "plain tar layer lies" => Image(tar, packLayer: data => data, layerType: "application/vnd.oci.image.layer.v1.tar",
                spoilLayer: plain => { plain[^1100] ^= 0x01; return plain; }),
            "truncated gzip" => Image(tar, packLayer: data => Gzip(data)[..40]),
            "escaping layer" => Image(Tar("../escape", "x")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using var registry = Serve(image);

        using var response = await _daemon.Http.PostAsync($"/v1.50/images/create?fromImage={registry.Host}/bad/img&tag=1", null);
        var body = await response.Content.ReadAsStringAsync();

        // Before the first progress line the error is a status code; after it, the stream's last message.
        var last = JsonDocument.Parse(body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        var error = (response.StatusCode == HttpStatusCode.OK ? last.TryGetProperty("error", out var e) ? e : default
            : last.TryGetProperty("message", out var m) ? m : default).ToString();
        Assert.True(error.Length > 0, $"{kind}: {(int)response.StatusCode} {body}\n{_daemon.Log}");
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        _daemon.AssertStoreEmpty($"{kind}: ");
        Assert.False(File.Exists(Path.Combine(_daemon.DataRoot, "escape")));
        using var ping = await _daemon.Http.GetAsync("/_ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }
}
