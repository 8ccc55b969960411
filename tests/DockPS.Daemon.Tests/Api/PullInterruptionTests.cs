using System.Formats.Tar;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Daemon.Tests.Api;

/// <summary>
/// Pulls through dockpsd from Debian's registry behind a proxy that drops or stalls the
/// connection mid-blob: a pull resumes where the bytes stopped, gives up clearly when the
/// registry never delivers, and a client that goes away cancels it; the store keeps nothing
/// half-done and the daemon goes on serving.
/// </summary>
public sealed class PullInterruptionTests : IDisposable
{
    private const int LayerBytes = 4 << 20;
    private readonly TestDaemon _daemon = TestDaemon.Start();
    private readonly RegistryProcess _registry = RegistryProcess.Start();

    public void Dispose()
    {
        _daemon.Dispose();
        _registry.Dispose();
    }

    /// <summary>Makes a one-layer image of 4 MiB of random bytes, pushes it, and removes it here.</summary>
    private async Task PublishAsync(string repository)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data") { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(LayerBytes)) });
        }
        tar.Position = 0;
        var name = $"{_registry.Host}/{repository}";
        using (var import = await _daemon.Http.PostAsync($"/v1.50/images/create?fromSrc=-&repo={name}&tag=1", new StreamContent(tar)))
        {
            AssertNoError(await Messages(import));
        }
        using (var push = await _daemon.Http.PostAsync($"/v1.50/images/{name}/push?tag=1", null))
        {
            AssertNoError(await Messages(push));
        }
        using var remove = await _daemon.Http.DeleteAsync($"/v1.50/images/{name}:1?force=1");
        Assert.Equal(HttpStatusCode.OK, remove.StatusCode);
        _daemon.AssertStoreEmpty();
    }

    private static async Task<List<JsonElement>> Messages(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    private static void AssertNoError(List<JsonElement> messages) =>
        Assert.DoesNotContain(messages, m => m.TryGetProperty("error", out _) || m.TryGetProperty("errorDetail", out _));

    private static string Status(JsonElement message) => message.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";

    private Task<HttpResponseMessage> Pull(string host, string repository) =>
        _daemon.Http.PostAsync($"/v1.50/images/create?fromImage={host}/{repository}&tag=1", null);

    private async Task AssertServing()
    {
        using var ping = await _daemon.Http.GetAsync("/_ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task AConnectionDroppedMidBlobIsResumedFromWhereItStopped()
    {
        await PublishAsync("e2e/resume");
        // Whichever connection carries the blob is cut once, 1.5 MB in.
        var cut = 0;
        using var proxy = new DroppingProxy(_registry.Port, everyConnection: () =>
        {
            var rule = DroppingProxy.AfterBytes(1_500_000);
            return next => Volatile.Read(ref cut) == 0 && rule(next) is { } at && Interlocked.Exchange(ref cut, 1) == 0 ? at : null;
        });

        using var response = await Pull(proxy.Host, "e2e/resume");
        var messages = await Messages(response);

        AssertNoError(messages);
        Assert.Equal(1, proxy.Cuts);
        var retry = Assert.Single(messages, m => Status(m).StartsWith("Retrying from byte ", StringComparison.Ordinal));
        var resumedAt = long.Parse(Status(retry).Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, LayerBytes);
        Assert.Contains(messages, m => Status(m) == "Pull complete");
        using var inspect = await _daemon.Http.GetAsync($"/v1.50/images/{proxy.Host}/e2e/resume:1/json");
        Assert.Equal(HttpStatusCode.OK, inspect.StatusCode);
    }

    [Fact]
    public async Task ARegistryThatKeepsDroppingFailsThePullClearlyAndLeavesNothing()
    {
        await PublishAsync("e2e/drops");
        using var proxy = new DroppingProxy(_registry.Port, everyConnection: () => DroppingProxy.AfterBytes(300_000));

        using var response = await Pull(proxy.Host, "e2e/drops");
        var messages = await Messages(response);

        var error = messages[^1].GetProperty("error").GetString();
        Assert.Contains("stopped at byte", error);
        Assert.Equal(4, messages.Count(m => Status(m).StartsWith("Retrying", StringComparison.Ordinal)));
        using var inspect = await _daemon.Http.GetAsync($"/v1.50/images/{proxy.Host}/e2e/drops:1/json");
        Assert.Equal(HttpStatusCode.NotFound, inspect.StatusCode);
        _daemon.AssertStoreEmpty();
        await AssertServing();
    }

    [Fact]
    public async Task AClientThatGoesAwayMidBlobCancelsThePullAndLeavesNothing()
    {
        await PublishAsync("e2e/cancel");
        using var proxy = new DroppingProxy(_registry.Port, everyConnection: () => DroppingProxy.AfterBytes(1_000_000), stall: true);

        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.50/images/create?fromImage={proxy.Host}/e2e/cancel&tag=1"))
        using (var response = await _daemon.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            // Wait for the download to be under way, then hang up as Ctrl+C in a client does.
            while (await reader.ReadLineAsync() is { } line && !line.Contains("Downloading", StringComparison.Ordinal)) { }
            while (proxy.Cuts == 0) { await Task.Delay(10); }
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists(Path.Combine(_daemon.DataRoot, "tmp")) && Directory.EnumerateFileSystemEntries(Path.Combine(_daemon.DataRoot, "tmp")).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        _daemon.AssertStoreEmpty();
        using var inspect = await _daemon.Http.GetAsync($"/v1.50/images/{proxy.Host}/e2e/cancel:1/json");
        Assert.Equal(HttpStatusCode.NotFound, inspect.StatusCode);
        await AssertServing();
    }
}
