using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DockPS.Registry.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchCollection
{
    public const string Name = "bench";
}

/// <summary>
/// Push and pull throughput of a 100 MiB random blob against the local docker-registry, beside
/// curl doing a monolithic PUT (streamed from the file) and a GET of the same blob. Run alone and readably with
/// <c>dotnet test tests/DockPS.Registry.Tests --filter Category=Bench --logger "console;verbosity=detailed"</c>.
/// It asserts only that every transfer is byte-correct; the figures are printed, never asserted.
/// </summary>
[Collection(BenchCollection.Name)]
[Trait("Category", "Bench")]
public sealed class ThroughputBench(ITestOutputHelper output) : IDisposable
{
    private const int Size = 100 << 20;
    private const int Runs = 3;
    private readonly RegistryProcess _registry = RegistryProcess.Start();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"dockps-bench-{Guid.NewGuid():N}.bin");

    public void Dispose()
    {
        _registry.Dispose();
        File.Delete(_file);
    }

    [Fact]
    public async Task PushAndPullOf100MiBAgainstCurl()
    {
        File.WriteAllBytes(_file, RandomNumberGenerator.GetBytes(Size));
        string digest;
        await using (var file = File.OpenRead(_file)) { digest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(file)); }
        Stream Open(long offset)
        {
            var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            stream.Position = offset;
            return stream;
        }

        using var chunked = new RegistryClient(_registry.Host);
        using var monolithic = new RegistryClient(_registry.Host, new RegistryClientOptions { MonolithicUploadLimit = long.MaxValue });
        var pushChunked = await Median(async () =>
            Assert.Equal(BlobPushResult.Uploaded, await chunked.PushBlobAsync(TestImages.Repository("bench"), digest, Size, Open)));
        var pushMonolithic = await Median(async () =>
            Assert.Equal(BlobPushResult.Uploaded, await monolithic.PushBlobAsync(TestImages.Repository("bench"), digest, Size, Open)));
        var curlPush = await Median(() => CurlPushAsync(TestImages.Repository("bench"), digest));

        var repository = TestImages.Repository("bench");
        await chunked.PushBlobAsync(repository, digest, Size, Open);
        var pull = await Median(async () => Assert.Equal(digest, await PullAsync(chunked, repository, digest, verify: true)));
        var pullRaw = await Median(async () => Assert.Null(await PullAsync(chunked, repository, digest, verify: false)));
        var curlPull = await Median(() => CurlAsync("-sf", "-o", "/dev/null", $"http://{_registry.Host}/v2/{repository}/blobs/{digest}"));

        Report("push, default (32 MiB PATCH chunks)", pushChunked, curlPush);
        Report("push, monolithic PUT", pushMonolithic, curlPush);
        Report("curl monolithic PUT", curlPush, curlPush);
        Report("pull, sha256 verified while reading", pull, curlPull);
        Report("pull, bytes discarded (like curl)", pullRaw, curlPull);
        Report("curl GET to /dev/null", curlPull, curlPull);
    }

    /// <summary>Reads the whole blob; returns its digest when <paramref name="verify"/>, else null.</summary>
    private static async Task<string?> PullAsync(RegistryClient client, string repository, string digest, bool verify)
    {
        using var hash = ContentDigest.CreateHash(digest);
        await using var stream = await client.OpenBlobAsync(repository, digest);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            total += n;
            if (verify) { hash.AppendData(buffer, 0, n); }
        }
        Assert.Equal(Size, total);
        return verify ? ContentDigest.Finish(hash, digest) : null;
    }

    private async Task CurlPushAsync(string repository, string digest)
    {
        var headers = await CurlAsync("-sf", "-X", "POST", "-D", "-", "-o", "/dev/null", $"http://{_registry.Host}/v2/{repository}/blobs/uploads/");
        var location = headers.Split("\r\n").Single(h => h.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))["Location:".Length..].Trim();
        var url = new Uri(new Uri($"http://{_registry.Host}/"), location).ToString();
        await CurlAsync("-sf", "-X", "PUT", "-H", "Content-Type: application/octet-stream", "-H", "Expect:", "--upload-file", _file,
            url + (url.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest));
    }

    private static async Task<string> CurlAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("curl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"curl {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    /// <summary>Median wall time of <see cref="Runs"/> runs, after one untimed warm-up.</summary>
    private static async Task<TimeSpan> Median(Func<Task> run)
    {
        await run();
        var times = new List<TimeSpan>();
        for (var i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            times.Add(clock.Elapsed);
        }
        return times.Order().ElementAt(Runs / 2);
    }

    private void Report(string what, TimeSpan time, TimeSpan reference)
    {
        var mibs = Size / (1024.0 * 1024.0) / time.TotalSeconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"registry bench: {what,-40} {mibs,7:F0} MiB/s  ({time.TotalMilliseconds:F0} ms, {reference.TotalSeconds / time.TotalSeconds:P0} of curl)");
        output.WriteLine(line);
    }
}
