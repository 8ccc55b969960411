using System.Text;
using DockPS.Daemon.Api;
using Microsoft.AspNetCore.Http;

namespace DockPS.Daemon.Tests.Api;

public class WireJsonTests
{
    private sealed record Body(string Name, int Count);

    private static HttpContext Request(string body, string? contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentType = contentType;
        return context;
    }

    [Fact]
    public async Task ReadsAWellFormedBody()
    {
        var body = await WireJson.ReadBody<Body>(Request("""{"name":"x","Count":2}"""));
        Assert.Equal(new Body("x", 2), body);
    }

    [Theory]
    [InlineData("", "invalid JSON")]
    [InlineData("{\"Name\": ", "invalid JSON")]
    [InlineData("{\"Name\": \"x\",\n \"Count\": \"two\"}", "invalid JSON at line 2")]
    [InlineData("null", "the body is null")]
    public async Task MalformedBodiesAreBadRequestsThatSayWhere(string text, string message)
    {
        var e = await Assert.ThrowsAsync<BadRequestException>(() => WireJson.ReadBody<Body>(Request(text)));
        Assert.Contains(message, e.Message);
        Assert.Equal(400, ApiErrors.StatusFor(e));
    }

    [Fact]
    public async Task AWrongContentTypeIsRefused()
    {
        var e = await Assert.ThrowsAsync<BadRequestException>(() => WireJson.ReadBody<Body>(Request("{}", "text/plain")));
        Assert.Contains("must be 'application/json'", e.Message);
    }

    [Theory]
    [InlineData("1700000000", 1700000000L)]
    [InlineData("1700000000.5", 1700000000L)]
    [InlineData("2023-11-14T22:13:20Z", 1700000000L)]
    public void TimesAreParsedInDockersForms(string text, long unixSeconds)
    {
        var t = SystemRoutes.ParseTime(text, "since", DateTimeOffset.UtcNow);
        Assert.Equal(unixSeconds, t!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public void DurationsAreRelativeToNow()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(now.AddMinutes(-90), SystemRoutes.ParseTime("1h30m", "since", now));
        Assert.Throws<BadRequestException>(() => SystemRoutes.ParseTime("soon", "until", now));
    }
}
