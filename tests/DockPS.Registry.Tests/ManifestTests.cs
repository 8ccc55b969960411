using System.Text;
using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

public sealed class ManifestTests(PlainRegistryFixture fixture) : IClassFixture<PlainRegistryFixture>
{
    [Fact]
    public async Task AnOciManifestRoundTripsByteForByte()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var manifest = await TestImages.PushOciImageAsync(client, repository);

        var digest = await client.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest);
        Assert.Equal(ContentDigest.Compute(manifest), digest);

        var fetched = await client.GetManifestAsync(repository, "v1");
        Assert.Equal(manifest, fetched.Content);
        Assert.Equal(MediaTypes.OciManifest, fetched.MediaType);
        Assert.Equal(digest, fetched.Digest);
        Assert.Equal(MediaTypes.OciLayerGzip, ImageManifest.Parse(fetched.Content).Layers[0].MediaType);

        var head = await client.HeadManifestAsync(repository, "v1");
        Assert.Equal((MediaTypes.OciManifest, digest, (long)manifest.Length), (head!.MediaType, head.Digest, head.Size));
    }

    [Fact]
    public async Task ADockerSchema2ManifestRoundTripsByteForByte()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var layer = TestBlob.Random(2048);
        var config = TestImages.Config(layer.Digest);
        await client.PushBlobAsync(repository, layer.Digest, layer.Size, layer.Open);
        await client.PushBlobAsync(repository, config.Digest, config.Size, config.Open);
        var manifest = TestImages.Manifest(MediaTypes.DockerManifest, MediaTypes.DockerConfig, config, MediaTypes.DockerLayerGzip, layer);

        var digest = await client.PutManifestAsync(repository, "latest", manifest, MediaTypes.DockerManifest);

        var fetched = await client.GetManifestAsync(repository, "latest");
        Assert.Equal(manifest, fetched.Content);
        Assert.Equal(MediaTypes.DockerManifest, fetched.MediaType);
        Assert.Equal(digest, fetched.Digest);
        Assert.Equal(config.Bytes, await TestImages.ReadAllAsync(await client.OpenBlobAsync(repository, ImageManifest.Parse(fetched.Content).Config.Digest)));
    }

    [Fact]
    public async Task FetchesByDigestAndPushesByDigest()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var manifest = await TestImages.PushOciImageAsync(client, repository);
        var digest = ContentDigest.Compute(manifest);

        Assert.Equal(digest, await client.PutManifestAsync(repository, digest, manifest, MediaTypes.OciManifest));
        var fetched = await client.GetManifestAsync(repository, digest);
        Assert.Equal(manifest, fetched.Content);
        Assert.Equal(digest, fetched.Digest);

        var wrong = ContentDigest.Compute("other"u8);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.PutManifestAsync(repository, wrong, manifest, MediaTypes.OciManifest));
        Assert.Equal((wrong, digest), (e.Expected, e.Actual));
    }

    [Fact]
    public async Task AnIndexComesBackWithItsMediaTypeForTheCallerToResolve()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var manifest = await TestImages.PushOciImageAsync(client, repository);
        var manifestDigest = await client.PutManifestAsync(repository, ContentDigest.Compute(manifest), manifest, MediaTypes.OciManifest);
        var index = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[
              {"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{manifestDigest}}","size":{{manifest.Length}},"platform":{"architecture":"amd64","os":"linux"} } ] }
            """);
        await client.PutManifestAsync(repository, "multi", index, MediaTypes.OciIndex);

        var fetched = await client.GetManifestAsync(repository, "multi");
        Assert.Equal(MediaTypes.OciIndex, fetched.MediaType);
        var chosen = ImageIndex.Parse(fetched.Content).SelectPlatform();
        Assert.Equal(manifest, (await client.GetManifestAsync(repository, chosen!.Digest)).Content);
    }

    [Fact]
    public async Task DeletesAManifestByDigest()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var manifest = await TestImages.PushOciImageAsync(client, repository);
        var digest = await client.PutManifestAsync(repository, "gone", manifest, MediaTypes.OciManifest);

        await client.DeleteManifestAsync(repository, digest);

        Assert.Null(await client.HeadManifestAsync(repository, digest));
        var e = await Assert.ThrowsAsync<RegistryNotFoundException>(() => client.GetManifestAsync(repository, "gone"));
        Assert.Equal(RegistryErrorCodes.ManifestUnknown, e.Code);
    }

    [Fact]
    public async Task UnknownNamesAndManifestsAreTypedErrors()
    {
        using var client = fixture.NewClient();
        var e = await Assert.ThrowsAsync<RegistryNotFoundException>(() => client.GetManifestAsync(TestImages.Repository(), "nope"));
        Assert.True(e.HasCode(RegistryErrorCodes.NameUnknown) || e.HasCode(RegistryErrorCodes.ManifestUnknown), e.Message);

        var repository = TestImages.Repository();
        var missingLayer = TestBlob.Random(10);
        var config = TestImages.Config(missingLayer.Digest);
        await client.PushBlobAsync(repository, config.Digest, config.Size, config.Open);
        var manifest = TestImages.Manifest(MediaTypes.OciManifest, MediaTypes.OciConfig, config, MediaTypes.OciLayerGzip, missingLayer);
        var invalid = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync(repository, "broken", manifest, MediaTypes.OciManifest));
        Assert.True(invalid.HasCode(RegistryErrorCodes.ManifestBlobUnknown), invalid.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, invalid.StatusCode);
    }
}

/// <summary>
/// What a real registry never does, played by a small server: lie about digests, send huge or
/// non-JSON manifests.
/// </summary>
public sealed class MisbehavingRegistryTests
{
    private static readonly byte[] Real = Encoding.UTF8.GetBytes("""{"schemaVersion":2}""");
    private static readonly string RealDigest = ContentDigest.Compute(Real);

    private static LoopbackHttpServer Serve(byte[] body, string contentType, string? digestHeader = null) => new(_ =>
        new TestResponse(200, body, [("Content-Type", contentType), .. digestHeader is null ? [] : new[] { ("Docker-Content-Digest", digestHeader) }]));

    [Fact]
    public async Task ContentThatIsNotTheDigestAskedForIsRejected()
    {
        using var server = Serve(Encoding.UTF8.GetBytes("""{"schemaVersion":2,"evil":true}"""), MediaTypes.OciManifest, RealDigest);
        using var client = new RegistryClient(server.Host);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.GetManifestAsync("app", RealDigest));
        Assert.Equal(RealDigest, e.Expected);
    }

    [Fact]
    public async Task ADigestHeaderThatLiesAboutATagIsRejected()
    {
        using var server = Serve(Real, MediaTypes.OciManifest, ContentDigest.Compute("else"u8));
        using var client = new RegistryClient(server.Host);
        await Assert.ThrowsAsync<DigestMismatchException>(() => client.GetManifestAsync("app", "v1"));
    }

    [Fact]
    public async Task ManifestsOverTheLimitAreRefused()
    {
        using var server = Serve(new byte[(4 << 20) + 1], MediaTypes.OciManifest);
        using var client = new RegistryClient(server.Host);
        var e = await Assert.ThrowsAsync<ManifestTooLargeException>(() => client.GetManifestAsync("app", "v1"));
        Assert.Equal(4 << 20, e.Limit);
        Assert.Contains("larger than", e.Message);
    }

    [Fact]
    public async Task NonJsonBodiesAreReturnedWithTheirContentType()
    {
        using var server = Serve(Encoding.UTF8.GetBytes("<html>gateway</html>"), "text/html; charset=utf-8");
        using var client = new RegistryClient(server.Host);
        var fetched = await client.GetManifestAsync("app", "v1");
        Assert.Equal("text/html", fetched.MediaType);
        Assert.False(MediaTypes.IsManifest(fetched.MediaType));
    }
}
