using System.Text;
using System.Text.Json.Nodes;
using DockPS.Registry.Client.Auth;

namespace DockPS.Registry.Tests;

/// <summary>Writing logins into a docker config.json: what Connect-Registry and Disconnect-Registry rely on.</summary>
public sealed class DockerConfigWriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dockps-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "config.json");

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private const string Existing = """
        {
        	"auths": {
        		"https://127.0.0.1:5000/v1/": { "auth": "b2xkOnB3" },
        		"other.test:443": { "auth": "Y2Fyb2w6cHcy" }
        	},
        	"credsStore": "pass",
        	"proxies": { "default": { "noProxy": "127.0.0.1" } },
        	"detachKeys": "ctrl-e,e",
        	"someNumber": 1.50
        }
        """;

    [Fact]
    public async Task SaveReplacesTheRegistrysEntriesAndKeepsEveryOtherKey()
    {
        File.WriteAllText(ConfigPath, Existing);
        var store = new DockerConfigCredentialStore(ConfigPath);
        Assert.Equal(ConfigPath, store.Save("127.0.0.1:5000", "bob", "pa:ss word"));

        var credential = await store.GetAsync("127.0.0.1:5000");
        Assert.Equal(("bob", "pa:ss word"), (credential!.Username, credential.Password));
        var root = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        var auths = root["auths"]!.AsObject();
        Assert.Equal(["other.test:443", "127.0.0.1:5000"], auths.Select(a => a.Key)); // the old https://…/v1/ key is gone
        Assert.Equal(B64("bob:pa:ss word"), (string?)auths["127.0.0.1:5000"]!["auth"]);
        var before = JsonNode.Parse(Existing)!.AsObject();
        foreach (var key in new[] { "credsStore", "proxies", "detachKeys", "someNumber" })
        {
            Assert.True(JsonNode.DeepEquals(before[key], root[key]), key);
        }
        Assert.Contains("1.50", File.ReadAllText(ConfigPath)); // numbers keep their text
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        Assert.Equal(["config.json"], Directory.GetFiles(_dir).Select(Path.GetFileName)); // no temp file left
    }

    [Fact]
    public void SaveCreatesAMissingFolderAndFileForTheOwnerOnly()
    {
        var path = Path.Combine(_dir, "new", "config.json");
        new DockerConfigCredentialStore(path).Save("LOCALHOST:5000", "u", "p");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["localhost:5000"], new DockerConfigCredentialStore(path).Registries());
    }

    [Fact]
    public void SaveThroughASymlinkWritesItsTargetAndKeepsTheLink()
    {
        var real = Path.Combine(_dir, "real.json");
        File.WriteAllText(real, "{}");
        File.CreateSymbolicLink(ConfigPath, real);
        new DockerConfigCredentialStore(ConfigPath).Save("127.0.0.1:5000", "u", "p");
        Assert.NotNull(new FileInfo(ConfigPath).LinkTarget);
        Assert.Contains("127.0.0.1:5000", File.ReadAllText(real));
    }

    [Fact]
    public void RemoveTakesOnlyThatRegistryAndSaysWhenThereWasNone()
    {
        File.WriteAllText(ConfigPath, Existing);
        var store = new DockerConfigCredentialStore(ConfigPath);
        Assert.True(store.Remove("127.0.0.1:5000"));
        var root = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        Assert.Equal(["other.test:443"], root["auths"]!.AsObject().Select(a => a.Key));
        Assert.Equal("pass", (string?)root["credsStore"]);
        Assert.Equal("ctrl-e,e", (string?)root["detachKeys"]);

        var written = File.GetLastWriteTimeUtc(ConfigPath);
        var text = File.ReadAllText(ConfigPath);
        Assert.False(store.Remove("127.0.0.1:5000"));
        Assert.Equal(text, File.ReadAllText(ConfigPath));
        Assert.Equal(written, File.GetLastWriteTimeUtc(ConfigPath));
        Assert.False(new DockerConfigCredentialStore(Path.Combine(_dir, "absent", "config.json")).Remove("x.test"));
    }

    [Fact]
    public void ABrokenFileIsAClearErrorAndIsNeverOverwritten()
    {
        File.WriteAllText(ConfigPath, """{"auths": {"x.test": """);
        var store = new DockerConfigCredentialStore(ConfigPath);
        Assert.Throws<InvalidDataException>(() => store.Save("x.test", "u", "secret-pw"));
        Assert.Throws<InvalidDataException>(() => store.Remove("x.test"));
        Assert.Equal("""{"auths": {"x.test": """, File.ReadAllText(ConfigPath));
        File.WriteAllText(ConfigPath, "[]");
        Assert.Throws<InvalidDataException>(() => store.Save("x.test", "u", "secret-pw"));
        Assert.Equal("[]", File.ReadAllText(ConfigPath));
    }

    [Fact]
    public async Task AnEmptyFileIsAnEmptyConfiguration()
    {
        File.WriteAllText(ConfigPath, "");
        var store = new DockerConfigCredentialStore(ConfigPath);
        store.Save("x.test", "u", "p");
        Assert.Equal("u", (await store.GetAsync("x.test"))!.Username);
    }
}
