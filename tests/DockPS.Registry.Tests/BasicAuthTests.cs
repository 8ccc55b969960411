using System.Text;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

public sealed class BasicAuthTests(BasicAuthRegistryFixture fixture) : IClassFixture<BasicAuthRegistryFixture>
{
    private const string User = BasicAuthRegistryFixture.User;
    private const string Password = BasicAuthRegistryFixture.Password;

    [Fact]
    public async Task PushesAndPullsWithTheRightPassword()
    {
        using var client = fixture.NewClient(User, Password);
        await client.PingAsync();
        var repository = TestImages.Repository();
        var manifest = await TestImages.PushOciImageAsync(client, repository);
        var digest = await client.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest);
        Assert.Equal(digest, (await client.GetManifestAsync(repository, "v1")).Digest);
        Assert.Contains(repository, await client.CatalogAsync());
    }

    [Fact]
    public async Task AWrongPasswordIsAnAuthErrorThatNeverShowsThePassword()
    {
        const string wrong = "not-the-Pa55word-xyz";
        using var client = fixture.NewClient(User, wrong);

        var ping = await Assert.ThrowsAsync<RegistryAuthException>(() => client.PingAsync());
        var pull = await Assert.ThrowsAsync<RegistryAuthException>(() => client.GetManifestAsync("some/app", "v1"));

        foreach (var e in new[] { ping, pull })
        {
            Assert.Contains("rejected the credentials", e.Message);
            Assert.Contains(User, e.Message);
            Assert.Contains(fixture.Registry.Host, e.Message);
            Assert.DoesNotContain(wrong, e.ToString());
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{wrong}")), e.ToString());
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, e.StatusCode);
        }
    }

    [Fact]
    public async Task WithoutCredentialsTheErrorSaysSo()
    {
        using var client = fixture.NewClient();
        var e = await Assert.ThrowsAsync<RegistryAuthException>(() => client.PingAsync());
        Assert.Contains("no credentials", e.Message);
    }

    [Fact]
    public async Task ReadsCredentialsFromADockerConfigFile()
    {
        var dir = Directory.CreateTempSubdirectory("dockps-config-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
            File.WriteAllText(path, $$"""{"auths":{"http://{{fixture.Registry.Host}}":{"auth":"{{auth}}"} } }""");
            using var client = new RegistryClient(fixture.Registry.Host,
                new RegistryClientOptions { CredentialStore = new DockerConfigCredentialStore(path) });
            await client.PingAsync();
            var blob = TestBlob.Random(100);
            Assert.Equal(BlobPushResult.Uploaded, await client.PushBlobAsync(TestImages.Repository(), blob.Digest, blob.Size, blob.Open));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task CredentialsFromAnInMemoryStoreWork()
    {
        var store = new InMemoryCredentialStore();
        store.Set(fixture.Registry.Host, new RegistryCredential(User, Password));
        using var client = new RegistryClient(fixture.Registry.Host, new RegistryClientOptions { CredentialStore = store });
        await client.PingAsync();
        store.Remove(fixture.Registry.Host);
        using var anonymous = new RegistryClient(fixture.Registry.Host, new RegistryClientOptions { CredentialStore = store });
        await Assert.ThrowsAsync<RegistryAuthException>(() => anonymous.PingAsync());
    }
}
