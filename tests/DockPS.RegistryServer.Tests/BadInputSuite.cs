using System.Net;
using System.Net.Sockets;
using System.Text;
using DockPS.Registry.Client;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>
/// Bad input gets the spec's error and nothing is stored: each test then looks in the registry's
/// storage folder for any trace of the refused content. Run against ours and the reference.
/// </summary>
public abstract class BadInputSuite<TTarget>(TTarget target) where TTarget : RegistryTarget
{
    protected TTarget Target { get; } = target;

    [Fact]
    public async Task Blob_with_the_wrong_digest_is_DIGEST_INVALID_and_not_stored()
    {
        using var http = Target.NewClient();
        var name = NewRepo("bad");
        var content = RandomBytes(4096);
        var claimed = Sha256(RandomBytes(4096));
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        var put = new UriBuilder(Resolve(http, start));
        put.Query = (put.Query.Length > 1 ? put.Query[1..] + "&" : "") + "digest=" + claimed;
        using var done = await http.PutAsync(put.Uri, Octets(content));
        Assert.Equal(HttpStatusCode.BadRequest, done.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(done));
        using var get = await http.GetAsync($"/v2/{name}/blobs/{claimed}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Empty(FilesMentioning(Target.StorageRoot, claimed[7..]));
        Assert.Empty(FilesMentioning(Target.StorageRoot, Sha256(content)[7..]));
    }

    [Fact]
    public async Task Manifest_with_the_wrong_digest_is_refused_and_not_stored()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo("bad"));
        var other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(image.Manifest) + " ");
        var claimed = Sha256(RandomBytes(32));
        using var put = await PutManifestAsync(http, image.Name, claimed, other, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(put));
        Assert.Empty(FilesMentioning(Target.StorageRoot, claimed[7..]));
        Assert.Empty(FilesMentioning(Target.StorageRoot, Sha256(other)[7..]));
    }

    [Fact]
    public async Task Manifest_naming_unknown_blobs_or_children_is_MANIFEST_BLOB_UNKNOWN_and_not_stored()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo("bad"));
        var config = Sha256(image.Config);
        var missingLayer = ImageManifestJson(MediaTypes.OciManifest, (config, image.Config.Length), [(Sha256(RandomBytes(9)), 9)]);
        var missingConfig = ImageManifestJson(MediaTypes.DockerManifest, (Sha256(RandomBytes(9)), 9), [(Sha256(image.Layer), image.Layer.Length)]);
        var missingChild = IndexJson(MediaTypes.OciIndex, [(MediaTypes.OciManifest, Sha256(RandomBytes(9)), 9)]);
        foreach (var (manifest, type) in new[] { (missingLayer, MediaTypes.OciManifest), (missingConfig, MediaTypes.DockerManifest), (missingChild, MediaTypes.OciIndex) })
        {
            using var put = await PutManifestAsync(http, image.Name, "broken", manifest, type);
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Equal("MANIFEST_BLOB_UNKNOWN", await ErrorCodeAsync(put));
            Assert.Empty(FilesMentioning(Target.StorageRoot, Sha256(manifest)[7..]));
        }
        using var tag = await http.GetAsync($"/v2/{image.Name}/manifests/broken");
        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
    }
}

/// <summary>Bad input against ours, with the cases the reference does not handle as the spec asks.</summary>
public sealed class OurBadInput(OurRegistry target) : BadInputSuite<OurRegistry>(target), IClassFixture<OurRegistry>
{
    [Fact]
    public async Task Oversized_manifest_is_413_and_not_stored()
    {
        // The spec asks registries to take at least 4 MiB and answer 413 past their limit; 2.8.2
        // has no limit, so this is ours only.
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo("bad"));
        var padding = new string(' ', 4 * 1024 * 1024);
        var huge = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(image.Manifest).Replace("{\"schemaVersion\"", "{" + padding + "\"schemaVersion\""));
        using var put = await PutManifestAsync(http, image.Name, "huge", huge, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await ErrorCodeAsync(put));
        Assert.Empty(FilesMentioning(Target.StorageRoot, Sha256(huge)[7..]));
        using var get = await http.GetAsync($"/v2/{image.Name}/manifests/huge");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Chunk_that_does_not_follow_is_416_and_the_upload_keeps_its_bytes()
    {
        using var http = Target.NewClient();
        var name = NewRepo("bad");
        var first = RandomBytes(1000);
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        var patch = new HttpRequestMessage(HttpMethod.Patch, Resolve(http, start)) { Content = Octets(first) };
        patch.Content.Headers.TryAddWithoutValidation("Content-Range", "0-999");
        using var ok = await http.SendAsync(patch);
        var location = Resolve(http, ok);
        foreach (var range in new[] { "500-1499", "1001-2000", "0-999" })
        {
            var bad = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Octets(RandomBytes(1000)) };
            bad.Content.Headers.TryAddWithoutValidation("Content-Range", range);
            using var refused = await http.SendAsync(bad);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
        }
        using var status = await http.GetAsync(location);
        Assert.Equal("0-999", Header(status, "Range"));
        // The refused chunks left nothing: closing with the first chunk's digest succeeds.
        var close = new UriBuilder(location) { Query = "digest=" + Sha256(first) };
        using var done = await http.PutAsync(close.Uri, new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var pulled = await http.GetAsync($"/v2/{name}/blobs/{Sha256(first)}");
        Assert.Equal(first, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("GET", "/v2/a/..%2F..%2Fescape/tags/list")]
    [InlineData("PUT", "/v2/a/..%2F..%2F..%2Fescape/manifests/latest")]
    [InlineData("POST", "/v2/..%2Fescape/blobs/uploads/")]
    [InlineData("POST", "/v2/a/%2E%2E/%2E%2E/escape/blobs/uploads/")]
    [InlineData("GET", "/v2/Upper/tags/list")]
    [InlineData("GET", "/v2/a//b/tags/list")]
    public async Task Path_traversal_and_invalid_names_are_NAME_INVALID_and_create_nothing(string method, string rawPath)
    {
        // Raw bytes on a socket: HttpClient would normalise the dot segments away before sending.
        var before = Directory.EnumerateFileSystemEntries(Target.StorageRoot, "*", SearchOption.AllDirectories).Count();
        var outside = Path.Combine(Path.GetDirectoryName(Target.StorageRoot)!, "escape");
        var (status, body) = await RawRequestAsync(Target.Host, method, rawPath, "{}");
        Assert.True(status is 400 or 404, $"{method} {rawPath} answered {status}");
        if (status == 400) { Assert.Contains("NAME_INVALID", body); }
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(Target.StorageRoot, "*", SearchOption.AllDirectories).Count());
        Assert.False(Directory.Exists(outside));
        Assert.False(Directory.Exists(Path.Combine(Target.StorageRoot, "escape")));
    }

    private static async Task<(int Status, string Body)> RawRequestAsync(string host, string method, string path, string body)
    {
        using var client = new TcpClient();
        var colon = host.LastIndexOf(':');
        await client.ConnectAsync(host[..colon], int.Parse(host[(colon + 1)..]));
        var stream = client.GetStream();
        var request = $"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ')[1]);
        return (status, response);
    }
}

/// <summary>Bad input against Debian's docker-registry 2.8.2.</summary>
public sealed class ReferenceBadInput(ReferenceRegistry target) : BadInputSuite<ReferenceRegistry>(target), IClassFixture<ReferenceRegistry>;
