using System.Net;
using System.Text.Json;

namespace DockPS.Daemon.Tests.Api;

public sealed class SystemRoutesTests : IClassFixture<SystemRoutesTests.Daemon>
{
    public sealed class Daemon : IDisposable
    {
        public TestDaemon Value { get; } = TestDaemon.Start("--label", "tier=test", "--insecure-registry", "myregistry:5000", "--insecure-registry", "10.99.0.0/16");
        public void Dispose() => Value.Dispose();
    }

    private readonly TestDaemon _daemon;

    public SystemRoutesTests(Daemon daemon) => _daemon = daemon.Value;

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task PingAnswersOkWithTheVersionHeaders(string method)
    {
        using var response = await _daemon.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/_ping"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1.56", response.Headers.GetValues("Api-Version").Single());
        Assert.Equal("false", response.Headers.GetValues("Docker-Experimental").Single());
        Assert.Equal("linux", response.Headers.GetValues("OSType").Single());
        Assert.Equal(method == "GET" ? "OK" : "", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/version")]
    [InlineData("/v1.24/version")]
    [InlineData("/v1.44/version")]
    [InlineData("/v1.50/version")]
    [InlineData("/v1.56/version")]
    public async Task VersionIsServedAtEveryAcceptedApiVersion(string path)
    {
        using var response = await _daemon.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("1.56", body.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", body.GetProperty("MinAPIVersion").GetString());
        Assert.Equal("linux", body.GetProperty("Os").GetString());
        Assert.Equal("Engine", body.GetProperty("Components")[0].GetProperty("Name").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), body.GetProperty("KernelVersion").GetString());
    }

    [Theory]
    [InlineData("/v1.57/info", "client version 1.57 is too new. Maximum supported API version is 1.56")]
    [InlineData("/v2.0/info", "client version 2.0 is too new. Maximum supported API version is 1.56")]
    [InlineData("/v1.12/info", "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version")]
    public async Task VersionsOutsideTheRangeAreRefused(string path, string message)
    {
        using var response = await _daemon.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await Json(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("GET", "/v1.44/containers/x/nothing")]
    [InlineData("DELETE", "/info")]
    [InlineData("GET", "/v1.2.3/info")]
    [InlineData("GET", "/vx/info")]
    public async Task UnknownRoutesAre404WithAMessage(string method, string path)
    {
        using var response = await _daemon.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("page not found", (await Json(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task InfoDescribesTheEngineAndHost()
    {
        using var response = await _daemon.Http.GetAsync("/v1.44/info");
        var body = await Json(response);
        Assert.Equal(_daemon.DataRoot, body.GetProperty("DockerRootDir").GetString());
        Assert.Equal("overlay2", body.GetProperty("Driver").GetString());
        Assert.Equal(0, body.GetProperty("Containers").GetInt64());
        Assert.Equal(0, body.GetProperty("Images").GetInt64());
        Assert.Equal("linux", body.GetProperty("OSType").GetString());
        Assert.Equal(Environment.ProcessorCount, body.GetProperty("NCPU").GetInt32());
        Assert.Equal(["tier=test"], body.GetProperty("Labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("inactive", body.GetProperty("Swarm").GetProperty("LocalNodeState").GetString());
        Assert.Matches("^[0-9a-f-]{36}$", body.GetProperty("ID").GetString());
        var registries = body.GetProperty("RegistryConfig");
        Assert.Contains("10.99.0.0/16", registries.GetProperty("InsecureRegistryCIDRs").EnumerateArray().Select(c => c.GetString()));
        Assert.False(registries.GetProperty("IndexConfigs").GetProperty("myregistry:5000").GetProperty("Secure").GetBoolean());
    }

    [Fact]
    public async Task VolumesListIsEmptyOnANewDataRootAndRejectsUnknownFilters()
    {
        var body = await Json(await _daemon.Http.GetAsync("/v1.44/volumes"));
        Assert.Equal(0, body.GetProperty("Volumes").GetArrayLength());
        using var bad = await _daemon.Http.GetAsync("/v1.44/volumes?filters=" + Uri.EscapeDataString("""{"nope":["x"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid filter 'nope'", (await Json(bad)).GetProperty("message").GetString());
    }
}
