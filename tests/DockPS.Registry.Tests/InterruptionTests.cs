using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

/// <summary>Connections cut mid-transfer by a proxy in front of the real registry.</summary>
public sealed class InterruptionTests(PlainRegistryFixture fixture) : IClassFixture<PlainRegistryFixture>
{
    [Fact]
    public async Task ADroppedDownloadIsAnIOExceptionAndResumesFromItsOffset()
    {
        var repository = TestImages.Repository();
        var blob = TestBlob.Random(4 << 20);
        using (var direct = fixture.NewClient())
        {
            await direct.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);
        }
        using var proxy = new DroppingProxy(fixture.Registry.Port, cutDownstream: DroppingProxy.AfterBytes(1_500_000));
        using var client = new RegistryClient(proxy.Host);
        using var received = new MemoryStream();

        var first = await client.OpenBlobAsync(repository, blob.Digest);
        var e = await Assert.ThrowsAsync<BlobTransferInterruptedException>(() => first.CopyToAsync(received));
        await first.DisposeAsync();
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal(1, proxy.Cuts);
        Assert.Equal(received.Length, e.ResumeOffset);
        Assert.InRange(e.ResumeOffset, 1, 1_500_000);
        Assert.Contains("stopped at byte", e.Message);

        await using (var rest = await client.OpenBlobAsync(repository, blob.Digest, e.ResumeOffset))
        {
            await rest.CopyToAsync(received);
        }
        Assert.Equal(blob.Digest, ContentDigest.Compute(received.ToArray()));
    }

    private async Task<List<long>> PushThroughCuttingProxyAsync(string repository, TestBlob blob, CutRule cutUpstream)
    {
        using var proxy = new DroppingProxy(fixture.Registry.Port, cutUpstream: cutUpstream);
        var opened = new List<long>();
        Stream Open(long offset) { opened.Add(offset); return blob.Open(offset); }
        using var client = new RegistryClient(proxy.Host, new RegistryClientOptions { MonolithicUploadLimit = 1 << 20, ChunkSize = 1 << 20 });

        Assert.Equal(BlobPushResult.Uploaded, await client.PushBlobAsync(repository, blob.Digest, blob.Size, Open));

        Assert.Equal(1, proxy.Cuts);
        using var direct = fixture.NewClient();
        await using var stream = await direct.OpenBlobAsync(repository, blob.Digest);
        Assert.Equal(blob.Bytes, await TestImages.ReadAllAsync(stream));
        return opened;
    }

    [Fact]
    public async Task AFailedChunkResumesAtTheOffsetTheRegistryReports()
    {
        // The third PATCH is cut inside its request line: the registry stored none of it, reports
        // 2 MiB held, and the client reopens its source there instead of at 0.
        var opened = await PushThroughCuttingProxyAsync(TestImages.Repository(), TestBlob.Random(4 << 20),
            DroppingProxy.InsideOccurrence("PATCH /v2/", occurrence: 3, into: 20));
        Assert.Equal([0L, 2L << 20], opened);
    }

    [Fact]
    public async Task AnUploadTheRegistryCannotResumeStartsOver()
    {
        // Cut inside the third chunk's body: distribution 2.8 then refuses the session (its state
        // token no longer matches the bytes it holds), so the client starts a new one from byte 0.
        var opened = await PushThroughCuttingProxyAsync(TestImages.Repository(), TestBlob.Random(4 << 20),
            DroppingProxy.AfterBytes((2 << 20) + 700_000));
        Assert.Equal([0L, 0L], opened);
    }
}
