using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

public sealed class BlobTests(PlainRegistryFixture fixture) : IClassFixture<PlainRegistryFixture>
{
    private static async Task<byte[]> PullAsync(RegistryClient client, string repository, string digest, long offset = 0)
    {
        await using var stream = await client.OpenBlobAsync(repository, digest, offset);
        return await TestImages.ReadAllAsync(stream);
    }

    [Fact]
    public async Task PushesSmallBlobsInOnePutAndSkipsThemTheSecondTime()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(300_000);
        var opened = new List<long>();
        Stream Open(long offset) { opened.Add(offset); return blob.Open(offset); }

        Assert.Null(await client.BlobExistsAsync(repository, blob.Digest));
        Assert.Equal(BlobPushResult.Uploaded, await client.PushBlobAsync(repository, blob.Digest, blob.Size, Open));
        Assert.Equal([0L], opened);
        Assert.Equal(blob.Size, await client.BlobExistsAsync(repository, blob.Digest));
        Assert.Equal(blob.Bytes, await PullAsync(client, repository, blob.Digest));

        Assert.Equal(BlobPushResult.AlreadyExists, await client.PushBlobAsync(repository, blob.Digest, blob.Size, Open));
        Assert.Equal([0L], opened); // the HEAD found it: the source was not even opened
    }

    [Fact]
    public async Task PushesLargeBlobsInChunksReadingTheSourceOnce()
    {
        using var client = fixture.NewClient(new RegistryClientOptions { MonolithicUploadLimit = 1 << 20, ChunkSize = 3 << 20 });
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(20 << 20);
        var opened = new List<long>();
        var progress = new List<long>();
        Stream Open(long offset) { opened.Add(offset); return blob.Open(offset); }

        var result = await client.PushBlobAsync(repository, blob.Digest, blob.Size, Open,
            new PushBlobOptions { Progress = new SyncProgress(progress.Add) });

        Assert.Equal(BlobPushResult.Uploaded, result);
        Assert.Equal([0L], opened);
        Assert.Equal(blob.Size, progress[^1]);
        Assert.Equal(blob.Size, await client.BlobExistsAsync(repository, blob.Digest));
        Assert.Equal(blob.Bytes, await PullAsync(client, repository, blob.Digest));
    }

    [Fact]
    public async Task MountsABlobFromAnotherRepository()
    {
        using var client = fixture.NewClient();
        var (source, target) = (TestImages.Repository("src"), TestImages.Repository("dst"));
        var blob = TestBlob.Random(50_000);
        await client.PushBlobAsync(source, blob.Digest, blob.Size, blob.Open);

        var result = await client.PushBlobAsync(target, blob.Digest, blob.Size,
            _ => throw new InvalidOperationException("a mount must not read the blob"), new PushBlobOptions { MountFrom = source });

        Assert.Equal(BlobPushResult.Mounted, result);
        Assert.Equal(blob.Bytes, await PullAsync(client, target, blob.Digest));
    }

    [Fact]
    public async Task AFailedMountFallsBackToAnUpload()
    {
        using var client = fixture.NewClient();
        var blob = TestBlob.Random(10_000);
        var target = TestImages.Repository("dst");
        var result = await client.PushBlobAsync(target, blob.Digest, blob.Size, blob.Open,
            new PushBlobOptions { MountFrom = TestImages.Repository("nowhere") });
        Assert.Equal(BlobPushResult.Uploaded, result);
        Assert.Equal(blob.Bytes, await PullAsync(client, target, blob.Digest));
    }

    [Fact]
    public async Task ReadsFromAnOffsetWithARangeRequest()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(1_000_000);
        await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);

        await using var stream = await client.OpenBlobAsync(repository, blob.Digest, 123_456);
        Assert.Equal(123_456, stream.Offset);
        Assert.Equal(blob.Size - 123_456, stream.ContentLength);
        Assert.Equal(blob.Size, stream.BlobLength);
        Assert.Equal(blob.Bytes[123_456..], await TestImages.ReadAllAsync(stream));

        await using var end = await client.OpenBlobAsync(repository, blob.Digest, blob.Size);
        Assert.Empty(await TestImages.ReadAllAsync(end));
    }

    [Fact]
    public async Task UnknownBlobsAreTypedNotFoundErrors()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var known = TestBlob.Random(10);
        await client.PushBlobAsync(repository, known.Digest, known.Size, known.Open);
        var missing = TestBlob.Random(10).Digest;

        var e = await Assert.ThrowsAsync<RegistryNotFoundException>(() => client.OpenBlobAsync(repository, missing));
        Assert.Equal(RegistryErrorCodes.BlobUnknown, e.Code);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains(fixture.Registry.Host, e.Message);
    }

    [Fact]
    public async Task ASourceShorterThanTheDeclaredSizeIsTheCallersError()
    {
        using var client = fixture.NewClient();
        var blob = TestBlob.Random(1000);
        var e = await Assert.ThrowsAsync<BlobSourceException>(() =>
            client.PushBlobAsync(TestImages.Repository(), blob.Digest, blob.Size + 10, blob.Open));
        Assert.Contains("ended", e.Message);
    }

    [Fact]
    public async Task FollowsRedirectsToAStorageBackend()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(200_000);
        await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);

        // A front that sends every request elsewhere, as registries do with signed storage URLs.
        using var front = new LoopbackHttpServer(request =>
            new TestResponse(307, [], ("Location", $"http://{fixture.Registry.Host}{request.Target}")));
        using var redirected = new RegistryClient(front.Host);
        Assert.Equal(blob.Bytes[1000..], await PullAsync(redirected, repository, blob.Digest, 1000));
        Assert.Equal(1, front.RequestCount);
    }

    [Fact]
    public async Task OneClientServesConcurrentTransfers()
    {
        using var client = fixture.NewClient(new RegistryClientOptions { MonolithicUploadLimit = 256 << 10, ChunkSize = 128 << 10 });
        var repository = TestImages.Repository();
        var blobs = Enumerable.Range(0, 8).Select(i => TestBlob.Random(100_000 + i * 50_000)).ToList();

        await Task.WhenAll(blobs.Select(b => client.PushBlobAsync(repository, b.Digest, b.Size, b.Open)));
        var pulled = await Task.WhenAll(blobs.Select(b => PullAsync(client, repository, b.Digest)));

        for (var i = 0; i < blobs.Count; i++) { Assert.Equal(blobs[i].Bytes, pulled[i]); }
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool and may arrive late).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
