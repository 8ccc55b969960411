using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

/// <summary>The Bearer flow against the real registry in <c>auth: token</c> mode, with the tests' own token issuer.</summary>
public sealed class TokenAuthTests(TokenRegistryFixture fixture) : IClassFixture<TokenRegistryFixture>
{
    private const string User = TokenRegistryFixture.User;
    private const string Password = TokenRegistryFixture.Password;

    [Fact]
    public async Task PushesAndPullsWithTokensCachedPerScope()
    {
        using var client = fixture.NewClient(User, Password);
        var repository = TestImages.Repository();
        var before = fixture.Issuer.TokensIssued;

        var manifest = await TestImages.PushOciImageAsync(client, repository);
        await client.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest);
        var afterPush = fixture.Issuer.TokensIssued;
        Assert.Equal(before + 1, afterPush); // one pull,push token served every push request

        var fetched = await client.GetManifestAsync(repository, "v1");
        Assert.Equal(manifest, fetched.Content);
        await using (var blob = await client.OpenBlobAsync(repository, ImageManifest.Parse(fetched.Content).Layers[0].Digest))
        {
            Assert.Equal(4096, (await TestImages.ReadAllAsync(blob)).Length);
        }
        Assert.Equal(afterPush + 1, fixture.Issuer.TokensIssued); // and one pull token every pull request
        Assert.Contains(fixture.Issuer.ScopesAsked, s => s.Split(' ').Contains($"repository:{repository}:pull,push"));
    }

    [Fact]
    public async Task AnonymousTokensAllowPullButNotPush()
    {
        using var owner = fixture.NewClient(User, Password);
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(1000);
        await owner.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);

        using var anonymous = new RegistryClient(fixture.Registry.Host);
        Assert.Equal(blob.Size, await anonymous.BlobExistsAsync(repository, blob.Digest));
        var other = TestBlob.Random(10);
        var e = await Assert.ThrowsAsync<RegistryAuthException>(() => anonymous.PushBlobAsync(repository, other.Digest, other.Size, other.Open));
        Assert.Contains("anonymous", e.Message);
    }

    [Fact]
    public async Task AWrongPasswordIsRejectedByTheTokenService()
    {
        const string wrong = "wrong-Pa55-for-bob";
        using var client = fixture.NewClient(User, wrong);
        var e = await Assert.ThrowsAsync<RegistryAuthException>(() => client.PingAsync());
        Assert.Contains("rejected the credentials", e.Message);
        Assert.Contains(User, e.Message);
        Assert.DoesNotContain(wrong, e.ToString());
        await Assert.ThrowsAsync<RegistryAuthException>(() => client.GetManifestAsync("any/thing", "v1"));
    }

    [Fact]
    public async Task ARejectedTokenIsReplacedAfterARechallenge()
    {
        using var client = fixture.NewClient(User, Password);
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(100);
        // Tokens that expire within seconds while the service claims an hour: the client keeps
        // the stale token until the registry refuses it. (distribution 2.8 allows 60 s of clock
        // skew past exp, hence the negative lifetime.)
        fixture.Issuer.TokenLifetime = -57;
        fixture.Issuer.ReportedExpiresIn = 3600;
        try
        {
            await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);
            var issued = fixture.Issuer.TokensIssued;
            await Task.Delay(TimeSpan.FromSeconds(4.5));
            Assert.Equal(BlobPushResult.AlreadyExists, await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open));
            Assert.Equal(issued + 1, fixture.Issuer.TokensIssued);
        }
        finally
        {
            fixture.Issuer.TokenLifetime = 300;
            fixture.Issuer.ReportedExpiresIn = null;
        }
    }

    [Fact]
    public async Task ReadsOAuthStyleAccessTokens()
    {
        fixture.Issuer.UseAccessTokenField = true;
        try
        {
            using var client = fixture.NewClient(User, Password);
            await client.PingAsync();
            var repository = TestImages.Repository();
            var blob = TestBlob.Random(100);
            Assert.Equal(BlobPushResult.Uploaded, await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open));
            Assert.Equal(blob.Size, await client.BlobExistsAsync(repository, blob.Digest));
        }
        finally
        {
            fixture.Issuer.UseAccessTokenField = false;
        }
    }

    [Fact]
    public async Task MountsAcrossRepositoriesWithAScopeForEach()
    {
        using var client = fixture.NewClient(User, Password);
        var (source, target) = (TestImages.Repository("src"), TestImages.Repository("dst"));
        var blob = TestBlob.Random(5000);
        await client.PushBlobAsync(source, blob.Digest, blob.Size, blob.Open);

        var result = await client.PushBlobAsync(target, blob.Digest, blob.Size, blob.Open, new PushBlobOptions { MountFrom = source });

        Assert.Equal(BlobPushResult.Mounted, result);
        Assert.Contains(fixture.Issuer.ScopesAsked, s => s.Contains($"repository:{target}:pull,push") && s.Contains($"repository:{source}:pull"));
    }

    [Fact]
    public async Task ListsTheCatalogWithARegistryScope()
    {
        using var client = fixture.NewClient(User, Password);
        var repository = TestImages.Repository();
        await client.PutManifestAsync(repository, "v1", await TestImages.PushOciImageAsync(client, repository), MediaTypes.OciManifest);
        Assert.Contains(repository, await client.CatalogAsync());
        Assert.Equal(["v1"], await client.ListTagsAsync(repository));
        Assert.Contains(fixture.Issuer.ScopesAsked, s => s.Split(' ').Contains("registry:catalog:*"));
    }
}
