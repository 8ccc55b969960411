using System.Net;
using System.Text.Json;

namespace DockPS.Daemon.Tests.Api;

public sealed class EventsTests : IDisposable
{
    private readonly TestDaemon _daemon = TestDaemon.Start();

    public void Dispose() => _daemon.Dispose();

    private static string Unix(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<JsonElement>> History(DateTimeOffset since, string? filters = null)
    {
        var query = $"/v1.50/events?since={Unix(since)}&until={Unix(DateTimeOffset.UtcNow.AddMilliseconds(5))}";
        if (filters is not null) { query += "&filters=" + Uri.EscapeDataString(filters); }
        using var response = await _daemon.Http.GetAsync(query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    private async Task ReloadAndWait(DateTimeOffset since, int expected)
    {
        _daemon.Signal(TestDaemon.SIGHUP);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await History(since)).Count < expected && DateTime.UtcNow < deadline) { await Task.Delay(20); }
    }

    [Fact]
    public async Task SighupEmitsADaemonReloadEventReplayedBySince()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await ReloadAndWait(since, 1);
        var e = Assert.Single(await History(since));
        Assert.Equal("daemon", e.GetProperty("Type").GetString());
        Assert.Equal("reload", e.GetProperty("Action").GetString());
        Assert.Equal("local", e.GetProperty("scope").GetString());
        Assert.True(e.GetProperty("timeNano").GetInt64() / 1_000_000_000 == e.GetProperty("time").GetInt64());
        Assert.Contains("configuration reloaded", _daemon.Log);
        Assert.False(_daemon.Process.HasExited);
    }

    [Fact]
    public async Task FiltersSelectEvents()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await ReloadAndWait(since, 1);
        Assert.Single(await History(since, """{"type":["daemon"]}"""));
        Assert.Single(await History(since, """{"type":{"daemon":true}}"""));
        Assert.Single(await History(since, """{"event":["reload"]}"""));
        Assert.Empty(await History(since, """{"type":["container"]}"""));
        Assert.Empty(await History(since, """{"container":["x"]}"""));
    }

    [Theory]
    [InlineData("filters={bad", "invalid filter")]
    [InlineData("filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D", "invalid filter 'bogus'")]
    [InlineData("since=yesterday", "invalid value for since")]
    public async Task BadQueriesAre400(string query, string message)
    {
        using var response = await _daemon.Http.GetAsync("/v1.50/events?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ALiveStreamDeliversNewEventsAndEndsAtUntil()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(4);
        using var response = await _daemon.Http.GetAsync($"/v1.50/events?until={Unix(until)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var info = JsonDocument.Parse(await (await _daemon.Http.GetAsync("/info")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, info.GetProperty("NEventsListener").GetInt32());
        _daemon.Signal(TestDaemon.SIGHUP);
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("reload", JsonDocument.Parse(line!).RootElement.GetProperty("Action").GetString());
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15))); // stream closed at until
    }

    [Fact]
    public async Task ShutdownEndsOpenStreamsAndCleansUp()
    {
        using var response = await _daemon.Http.GetAsync("/v1.50/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        _daemon.Signal(TestDaemon.SIGTERM);
        Assert.True(_daemon.Process.WaitForExit(15_000));
        Assert.Equal(0, _daemon.Process.ExitCode);
        Assert.False(File.Exists(_daemon.Socket));
        Assert.False(File.Exists(_daemon.PidFile));
        Assert.Contains("shutting down", _daemon.Log);
    }
}
