using System.Net;
using System.Text;
using System.Text.Json;

namespace DockPS.Daemon.Tests.Api;

/// <summary>The volume endpoints over the socket: shapes and status codes from the spec, messages from dockerd.</summary>
public sealed class VolumeRoutesTests : IDisposable
{
    private readonly TestDaemon _daemon = TestDaemon.Start();

    public void Dispose() => _daemon.Dispose();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static async Task<string> Message(HttpResponseMessage response) => (await Json(response)).GetProperty("message").GetString()!;

    private Task<HttpResponseMessage> Create(string json, string version = "v1.44") =>
        _daemon.Http.PostAsync($"/{version}/volumes/create", new StringContent(json, Encoding.UTF8, "application/json"));

    private static string Filters(string json) => "?filters=" + Uri.EscapeDataString(json);

    private async Task<string[]> Names(string query = "")
    {
        using var response = await _daemon.Http.GetAsync("/v1.44/volumes" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json(response)).GetProperty("Volumes").EnumerateArray().Select(v => v.GetProperty("Name").GetString()!).ToArray();
    }

    [Fact]
    public async Task CreateAnswers201WithTheVolume()
    {
        using var response = await Create("""{"Name":"data","Labels":{"team":"web"},"DriverOpts":{}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var v = await Json(response);
        Assert.Equal("data", v.GetProperty("Name").GetString());
        Assert.Equal("local", v.GetProperty("Driver").GetString());
        Assert.Equal(Path.Combine(_daemon.DataRoot, "volumes", "data", "_data"), v.GetProperty("Mountpoint").GetString());
        Assert.Equal("local", v.GetProperty("Scope").GetString());
        Assert.Equal("web", v.GetProperty("Labels").GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Object, v.GetProperty("Options").ValueKind);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", v.GetProperty("CreatedAt").GetString());
        Assert.False(v.TryGetProperty("UsageData", out _));
        Assert.True(Directory.Exists(v.GetProperty("Mountpoint").GetString()));
    }

    [Fact]
    public async Task CreateWithoutANameMakesAnAnonymousVolume()
    {
        using var response = await Create("{}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var v = await Json(response);
        Assert.Matches("^[0-9a-f]{64}$", v.GetProperty("Name").GetString());
        Assert.Equal("", v.GetProperty("Labels").GetProperty("com.docker.volume.anonymous").GetString());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/x")]
    [InlineData("a/b")]
    public async Task ANameOutsideTheRuleIs400AndMakesNothing(string name)
    {
        using var response = await Create(JsonSerializer.Serialize(new { Name = name }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("includes invalid characters for a local volume name", await Message(response));
        Assert.Empty(await Names());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_daemon.DataRoot, "volumes")));
    }

    [Theory]
    [InlineData("""{"Name":"v1","DriverOpts":{"size":"1g"}}""", HttpStatusCode.BadRequest, "create v1: invalid option: \"size\"")]
    [InlineData("""{"Name":"v1","DriverOpts":{"type":"tmpfs"}}""", HttpStatusCode.BadRequest, "create v1: missing required option: \"device\"")]
    [InlineData("""{"Name":"v1","Driver":"flocker"}""", HttpStatusCode.NotFound, "create v1: error looking up volume plugin flocker: plugin \"flocker\" not found")]
    [InlineData("""{"Name":5}""", HttpStatusCode.BadRequest, "invalid JSON")]
    public async Task BadCreateRequestsSayWhatIsWrong(string body, HttpStatusCode status, string message)
    {
        using var response = await Create(body);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await Message(response));
        Assert.Empty(await Names());
    }

    [Fact]
    public async Task InspectFindsTheVolumeAndAnswers404ForAMissingOne()
    {
        (await Create("""{"Name":"seen"}""")).Dispose();
        using var found = await _daemon.Http.GetAsync("/v1.44/volumes/seen");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("seen", (await Json(found)).GetProperty("Name").GetString());
        using var missing = await _daemon.Http.GetAsync("/v1.44/volumes/unseen");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("get unseen: no such volume", await Message(missing));
        using var traversal = await _daemon.Http.GetAsync("/v1.44/volumes/..%2Fdata");
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
        Assert.Equal("get ../data: no such volume", await Message(traversal));
    }

    [Fact]
    public async Task DeleteAnswers204Then404AndForceMakesMissingNoError()
    {
        (await Create("""{"Name":"doomed"}""")).Dispose();
        using var removed = await _daemon.Http.DeleteAsync("/v1.44/volumes/doomed");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal("", await removed.Content.ReadAsStringAsync());
        Assert.False(Directory.Exists(Path.Combine(_daemon.DataRoot, "volumes", "doomed")));
        using var again = await _daemon.Http.DeleteAsync("/v1.44/volumes/doomed");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("get doomed: no such volume", await Message(again));
        using var forced = await _daemon.Http.DeleteAsync("/v1.44/volumes/doomed?force=1");
        Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
    }

    [Fact]
    public async Task ListFiltersByNameLabelAndDangling()
    {
        (await Create("""{"Name":"web-data","Labels":{"tier":"web"}}""")).Dispose();
        (await Create("""{"Name":"db-data","Labels":{"tier":"db"}}""")).Dispose();
        Assert.Equal(["db-data", "web-data"], await Names());
        Assert.Equal(["web-data"], await Names(Filters("""{"name":["web"]}""")));
        Assert.Equal(["db-data"], await Names(Filters("""{"label":["tier=db"]}""")));
        Assert.Equal(["db-data"], await Names(Filters("""{"label":{"tier=db":true}}""")));
        // No container uses them yet: all are dangling.
        Assert.Equal(["db-data", "web-data"], await Names(Filters("""{"dangling":["true"]}""")));
        Assert.Empty(await Names(Filters("""{"dangling":["false"]}""")));
        using var bad = await _daemon.Http.GetAsync("/v1.44/volumes" + Filters("""{"dangling":["perhaps"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid filter 'dangling=perhaps'", await Message(bad));
    }

    [Fact]
    public async Task PruneTakesAnonymousVolumesAndAllTakesNamedOnes()
    {
        var anonymous = (await Json(await Create("{}"))).GetProperty("Name").GetString()!;
        (await Create("""{"Name":"named"}""")).Dispose();
        File.WriteAllBytes(Path.Combine(_daemon.DataRoot, "volumes", anonymous, "_data", "f"), new byte[1234]);

        using var first = await _daemon.Http.PostAsync("/v1.44/volumes/prune", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await Json(first);
        Assert.Equal([anonymous], body.GetProperty("VolumesDeleted").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(1234, body.GetProperty("SpaceReclaimed").GetInt64());
        Assert.Equal(["named"], await Names());

        using var all = await _daemon.Http.PostAsync("/v1.44/volumes/prune" + Filters("""{"all":["true"]}"""), null);
        Assert.Equal(["named"], (await Json(all)).GetProperty("VolumesDeleted").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Empty(await Names());

        using var bad = await _daemon.Http.PostAsync("/v1.44/volumes/prune" + Filters("""{"until":["1h"]}"""), null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid filter 'until'", await Message(bad));
    }

    [Fact]
    public async Task PruneBeforeApi142TakesNamedVolumesAsOldClientsExpect()
    {
        (await Create("""{"Name":"named"}""", "v1.41")).Dispose();
        using var pruned = await _daemon.Http.PostAsync("/v1.41/volumes/prune", null);
        Assert.Equal(["named"], (await Json(pruned)).GetProperty("VolumesDeleted").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task CreateAndDestroyAreEvents()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds();
        (await Create("""{"Name":"evented"}""")).Dispose();
        (await _daemon.Http.DeleteAsync("/v1.44/volumes/evented")).Dispose();
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        var text = await _daemon.Http.GetStringAsync($"/v1.44/events?since={since}&until={until}&" + Filters("""{"type":["volume"]}""")[1..]);
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["create", "destroy"], events.Select(e => e.GetProperty("Action").GetString()!).ToArray());
        Assert.All(events, e => Assert.Equal("evented", e.GetProperty("Actor").GetProperty("ID").GetString()));
        Assert.All(events, e => Assert.Equal("local", e.GetProperty("Actor").GetProperty("Attributes").GetProperty("driver").GetString()));
    }
}

/// <summary>How volume failures map to status codes (in-use needs containers to happen over the wire).</summary>
public sealed class VolumeErrorStatusTests
{
    [Fact]
    public void EngineVolumeErrorsMapToTheSpecsCodes()
    {
        Assert.Equal(409, DockPS.Daemon.Api.ApiErrors.StatusFor(new DockPS.Engine.Volumes.VolumeInUseException("v", ["abc"])));
        Assert.Equal(409, DockPS.Daemon.Api.ApiErrors.StatusFor(new DockPS.Engine.Volumes.VolumeConflictException("x")));
        Assert.Equal(404, DockPS.Daemon.Api.ApiErrors.StatusFor(new DockPS.Engine.Volumes.VolumeNotFoundException("v")));
        Assert.Equal(404, DockPS.Daemon.Api.ApiErrors.StatusFor(new DockPS.Engine.Volumes.VolumeDriverNotFoundException("v", "d")));
        Assert.Equal(400, DockPS.Daemon.Api.ApiErrors.StatusFor(new DockPS.Engine.Volumes.InvalidVolumeException("bad")));
    }
}
