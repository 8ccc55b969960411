using System.Text;
using DockPS.Daemon.Api;
using Microsoft.AspNetCore.Http;

namespace DockPS.Daemon.Tests.Api;

public class WireJsonTests
{
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
        var body = await WireJson.ReadBody<ErrorResponse>(Request("""{"Message":"x"}"""));
        Assert.Equal(new ErrorResponse("x"), body);
    }

    [Theory]
    [InlineData("", "invalid JSON")]
    [InlineData("{\"message\": ", "invalid JSON")]
    [InlineData("{\n \"message\": 2}", "invalid JSON at line 2")]
    [InlineData("null", "the body is null")]
    public async Task MalformedBodiesAreBadRequestsThatSayWhere(string text, string message)
    {
        var e = await Assert.ThrowsAsync<BadRequestException>(() => WireJson.ReadBody<ErrorResponse>(Request(text)));
        Assert.Contains(message, e.Message);
        Assert.Equal(400, ApiErrors.StatusFor(e));
    }

    [Fact]
    public async Task ATypeMissingFromTheCompiledMetadataIsNamed()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => WireJson.ReadBody<WireJsonTests>(Request("{}")));
        Assert.Contains("WireJsonTests is not listed in WireJsonContext", e.Message);
    }

    [Fact]
    public async Task AWrongContentTypeIsRefused()
    {
        var e = await Assert.ThrowsAsync<BadRequestException>(() => WireJson.ReadBody<ErrorResponse>(Request("{}", "text/plain")));
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
