using System.Text;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Registry.Tests;

public sealed class CredentialTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dockps-creds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DockerConfigCredentialStore Store(string json)
    {
        var path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        return new DockerConfigCredentialStore(path);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task ReadsEveryAuthsFormDockerWrites()
    {
        var store = Store($$"""
            {
              "auths": {
                "127.0.0.1:5000": { "auth": "{{B64("alice:pa:ss")}}" },
                "https://legacy.test/v1/": { "auth": "{{B64("old:pw")}}" },
                "split.test": { "username": "carol", "password": "pw2" },
                "oauth.test": { "auth": "{{B64("<token>:")}}", "identitytoken": "refresh-123" },
                "helper.test": {}
              },
              "credsStore": "desktop"
            }
            """);
        var alice = await store.GetAsync("127.0.0.1:5000");
        Assert.Equal(("alice", "pa:ss"), (alice!.Username, alice.Password)); // only the first ':' separates
        Assert.Equal("old", (await store.GetAsync("legacy.test"))!.Username);
        Assert.Equal("pw2", (await store.GetAsync("SPLIT.test"))!.Password);
        var oauth = await store.GetAsync("oauth.test");
        Assert.Equal("refresh-123", oauth!.IdentityToken);
        Assert.Null(oauth.Password);
        Assert.Null(await store.GetAsync("helper.test")); // helpers are not run
        Assert.Null(await store.GetAsync("127.0.0.1:5001"));
    }

    [Fact]
    public async Task AMissingFileMeansNoCredentialsAndABrokenOneIsAClearError()
    {
        Assert.Null(await new DockerConfigCredentialStore(Path.Combine(_dir, "absent", "config.json")).GetAsync("x.test"));
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await Store("""{"auths": {"x.test": {"auth": "!!"}}}""").GetAsync("x.test"));
        Assert.Contains("base64", e.Message);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await Store("""{"auths": """).GetAsync("x.test"));
    }

    [Fact]
    public async Task InMemoryStoreSetsAndForgets()
    {
        var store = new InMemoryCredentialStore();
        store.Set("https://Reg.test:5000/", new RegistryCredential("u", "p"));
        Assert.Equal("u", (await store.GetAsync("reg.test:5000"))!.Username);
        Assert.True(store.Remove("reg.test:5000"));
        Assert.Null(await store.GetAsync("reg.test:5000"));
    }

    [Fact]
    public void CredentialsNeverPrintTheirSecrets()
    {
        var password = new RegistryCredential("dave", "hunter2-secret");
        var token = RegistryCredential.FromIdentityToken("tok-secret");
        Assert.DoesNotContain("hunter2", password.ToString());
        Assert.Contains("dave", password.ToString());
        Assert.DoesNotContain("tok-secret", token.ToString());
    }

    [Theory]
    [InlineData("""Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull,push" """, "Bearer", "http://127.0.0.1:1/token", "reg", "repository:a/b:pull,push")]
    [InlineData("""bearer realm=http://h/t, service = "s" , scope="x:y:*" """, "bearer", "http://h/t", "s", "x:y:*")]
    [InlineData("""Basic realm="say \"hi\", please" """, "Basic", "say \"hi\", please", null, null)]
    public void ParsesChallenges(string header, string scheme, string realm, string? service, string? scope)
    {
        var space = header.IndexOf(' ');
        var challenge = AuthChallenge.Parse(header[..space], header[(space + 1)..]);
        Assert.Equal(scheme, challenge.Scheme);
        Assert.Equal(realm, challenge.Realm);
        Assert.Equal(service, challenge.Service);
        Assert.Equal(scope, challenge.Scope);
        Assert.Equal(scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase), challenge.IsBearer);
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("reg.test:5000", false)]
    [InlineData("insecure.test:5000", true)]   // listed as host:port
    [InlineData("anyport.test:1234", true)]    // listed as a bare host
    [InlineData("10.1.2.3:5000", true)]        // inside a listed CIDR
    [InlineData("11.1.2.3:5000", false)]
    public void PlainHttpOnlyForLoopbackAndInsecureRegistries(string registry, bool plain)
    {
        string[] insecure = ["insecure.test:5000", "anyport.test", "10.0.0.0/8"];
        Assert.Equal(plain, RegistryClient.UsesPlainHttp(registry, insecure));
        using var client = new RegistryClient(registry, new RegistryClientOptions { InsecureRegistries = insecure });
        Assert.Equal(plain ? "http" : "https", client.BaseUri.Scheme);
    }
}
