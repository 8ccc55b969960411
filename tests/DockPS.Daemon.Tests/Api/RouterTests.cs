using DockPS.Daemon.Api;
using Microsoft.AspNetCore.Http;

namespace DockPS.Daemon.Tests.Api;

public class RouterTests
{
    private static async Task<(string Hit, IDictionary<string, object?> Values, int Status)> Dispatch(string method, string path)
    {
        var hit = "";
        var router = new Router(
        [
            Route.Get("/info", _ => { hit = "info"; return Task.CompletedTask; }),
            Route.Get("/containers/{id}/json", _ => { hit = "inspect"; return Task.CompletedTask; }),
            Route.Delete("/containers/{id}", _ => { hit = "remove"; return Task.CompletedTask; }),
            Route.Get("/images/{name*}/json", _ => { hit = "image"; return Task.CompletedTask; }),
            Route.Post("/images/{name*}/tag", _ => { hit = "tag"; return Task.CompletedTask; }),
        ]);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        await router.Dispatch(context);
        return (hit, context.Request.RouteValues, context.Response.StatusCode);
    }

    [Fact]
    public async Task LiteralAndParameterSegmentsMatch()
    {
        var (hit, values, _) = await Dispatch("GET", "/containers/abc123/json");
        Assert.Equal("inspect", hit);
        Assert.Equal("abc123", values["id"]);
    }

    [Fact]
    public async Task TheMethodSelectsTheRoute()
    {
        Assert.Equal("remove", (await Dispatch("DELETE", "/containers/abc")).Hit);
        Assert.Equal(404, (await Dispatch("POST", "/info")).Status);
    }

    [Theory]
    [InlineData("/images/busybox/json", "busybox")]
    [InlineData("/images/localhost:5000/team/app:1.0/json", "localhost:5000/team/app:1.0")]
    [InlineData("/images/sha256%3Aabc/json", "sha256:abc")]
    public async Task AGreedyParameterTakesSeveralSegments(string path, string name)
    {
        var (hit, values, _) = await Dispatch("GET", path);
        Assert.Equal("image", hit);
        Assert.Equal(name, values["name"]);
    }

    [Theory]
    [InlineData("GET", "/containers/abc")]
    [InlineData("GET", "/containers/abc/json/extra")]
    [InlineData("GET", "/images/json")]
    [InlineData("GET", "/nothing")]
    public async Task AnythingElseIs404(string method, string path)
    {
        var (hit, _, status) = await Dispatch(method, path);
        Assert.Equal("", hit);
        Assert.Equal(404, status);
    }

    [Fact]
    public void TwoGreedySegmentsAreRefusedAtStartup() =>
        Assert.Throws<ArgumentException>(() => new Router([Route.Get("/a/{x*}/b/{y*}", _ => Task.CompletedTask)]));
}
