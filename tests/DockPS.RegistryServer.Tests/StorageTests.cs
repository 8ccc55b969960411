using System.Net;
using DockPS.Registry.Client;
using DockPS.Registry.Server;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>Garbage collection on a serving registry, and concurrent pushes of the same content.</summary>
public sealed class StorageTests(OurRegistry target) : IClassFixture<OurRegistry>
{
    private GarbageCollector Collector => new(new RegistryStorage(target.StorageRoot));

    [Fact]
    public async Task Gc_deletes_unreferenced_blobs_past_the_grace_period_and_keeps_referenced_ones()
    {
        using var http = target.NewClient();
        var kept = await PushImageAsync(http, NewRepo("gc"));
        var dropped = await PushImageAsync(http, NewRepo("gc"));
        var orphan = await PushBlobAsync(http, kept.Name, RandomBytes(700));
        using (var delete = await http.DeleteAsync($"/v2/{dropped.Name}/manifests/{dropped.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        // Within the grace period everything stays: the orphan may be a push whose manifest is next.
        Collector.Collect(TimeSpan.FromHours(1), TimeSpan.FromDays(1));
        Assert.True(await BlobExistsAsync(http, kept.Name, orphan));
        Assert.True(await BlobExistsAsync(http, dropped.Name, Sha256(dropped.Layer)));

        var result = Collector.Collect(TimeSpan.Zero, TimeSpan.FromDays(1));
        Assert.True(result.BlobsDeleted >= 4); // the orphan, the dropped manifest, its config and layer
        Assert.False(await BlobExistsAsync(http, kept.Name, orphan));
        Assert.False(await BlobExistsAsync(http, dropped.Name, Sha256(dropped.Layer)));
        Assert.False(File.Exists(new RegistryStorage(target.StorageRoot).BlobPath(dropped.Digest)));
        Assert.True(await BlobExistsAsync(http, kept.Name, Sha256(kept.Layer)));
        using var manifest = await http.GetAsync($"/v2/{kept.Name}/manifests/latest");
        Assert.Equal(kept.Manifest, await manifest.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Gc_keeps_an_old_blob_that_a_manifest_took_up_after_the_mark()
    {
        using var http = target.NewClient();
        var name = NewRepo("gc");
        var config = "{}"u8.ToArray();
        var layer = RandomBytes(900);
        var configDigest = await PushBlobAsync(http, name, config);
        var layerDigest = await PushBlobAsync(http, name, layer);
        var storage = new RegistryStorage(target.StorageRoot);
        // Both blobs look long uploaded and unreferenced...
        foreach (var digest in new[] { configDigest, layerDigest })
        {
            File.SetLastWriteTimeUtc(storage.BlobPath(digest), DateTime.UtcNow.AddHours(-3));
        }
        // ...until a manifest names them: the push touches them, so the collector leaves them.
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (configDigest, config.Length), [(layerDigest, layer.Length)]);
        using var put = await PutManifestAsync(http, name, "late", manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using (var delete = await http.DeleteAsync($"/v2/{name}/manifests/{Sha256(manifest)}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }
        Collector.Collect(TimeSpan.FromHours(1), TimeSpan.FromDays(1));
        Assert.True(await BlobExistsAsync(http, name, layerDigest));
    }

    [Fact]
    public async Task Concurrent_pushes_of_the_same_blob_and_tag_all_succeed_and_agree()
    {
        using var http = target.NewClient();
        var name = NewRepo("race");
        var content = RandomBytes(200_000);
        var pushes = Enumerable.Range(0, 8).Select(_ => PushBlobAsync(http, name, content));
        Assert.All(await Task.WhenAll(pushes), digest => Assert.Equal(Sha256(content), digest));
        using (var get = await http.GetAsync($"/v2/{name}/blobs/{Sha256(content)}"))
        {
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        }

        var image = await PushImageAsync(http, name, "shared");
        var tags = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var put = await PutManifestAsync(http, name, "shared", image.Manifest, image.MediaType);
            return put.StatusCode;
        });
        Assert.All(await Task.WhenAll(tags), status => Assert.Equal(HttpStatusCode.Created, status));
        using var pulled = await http.GetAsync($"/v2/{name}/manifests/shared");
        Assert.Equal(image.Manifest, await pulled.Content.ReadAsByteArrayAsync());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(target.StorageRoot, "tmp")));
    }

    private static async Task<bool> BlobExistsAsync(HttpClient http, string name, string digest)
    {
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{name}/blobs/{digest}"));
        return head.StatusCode == HttpStatusCode.OK;
    }
}
