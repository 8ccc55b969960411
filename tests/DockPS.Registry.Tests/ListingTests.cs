using DockPS.Registry.Client;
using DockPS.Registry.Tests.Infrastructure;

namespace DockPS.Registry.Tests;

public sealed class ListingTests(PlainRegistryFixture fixture) : IClassFixture<PlainRegistryFixture>
{
    /// <summary>Counts the requests a client sends, to see pagination happen against the real registry.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests) { Requests.Add(request.RequestUri!.PathAndQuery); }
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task ListsEveryTag()
    {
        using var client = fixture.NewClient();
        var repository = TestImages.Repository("tags");
        var manifest = await TestImages.PushOciImageAsync(client, repository);
        string[] tags = ["v1", "v10", "v2", "alpha", "beta", "latest", "rc"];
        foreach (var tag in tags) { await client.PutManifestAsync(repository, tag, manifest, MediaTypes.OciManifest); }

        using var counting = new CountingHandler();
        using var paged = new RegistryClient(fixture.Registry.Host, handler: counting);

        // distribution 2.8 ignores n and last for tags (and does not sort them): one answer with all.
        Assert.Equal(tags.Order(), (await paged.ListTagsAsync(repository, pageSize: 3)).Order());
        Assert.Single(counting.Requests, r => r.Contains("/tags/list"));
    }

    [Fact]
    public async Task FollowsTagPagesOfARegistryThatPaginates()
    {
        // The spec's pagination (n, last, Link rel="next") as newer registries serve it; links
        // alternate between relative and absolute forms.
        string[] all = ["a", "b", "c", "d", "e", "f", "g"];
        var pages = 0;
        LoopbackHttpServer? server = null;
        server = new LoopbackHttpServer(request =>
        {
            pages++;
            var n = int.Parse(request.Query("n").Single());
            var last = request.Query("last").SingleOrDefault();
            var page = all.Where(t => last is null || string.CompareOrdinal(t, last) > 0).Take(n).ToList();
            var json = $$"""{"name":"app","tags":[{{string.Join(",", page.Select(t => $"\"{t}\""))}}]}""";
            if (page.Count < n || page[^1] == all[^1]) { return TestResponse.Json(200, json); }
            var next = $"/v2/app/tags/list?n={n}&last={page[^1]}";
            return TestResponse.Json(200, json, ("Link", $"<{(pages % 2 == 0 ? $"http://{server!.Host}" : "")}{next}>; rel=\"next\""));
        });
        using (server)
        {
            using var client = new RegistryClient(server.Host);
            Assert.Equal(all, await client.ListTagsAsync("app", pageSize: 2));
            Assert.Equal(4, pages);
        }
    }

    [Fact]
    public async Task ListsTheCatalogAcrossPages()
    {
        using var client = fixture.NewClient();
        var repositories = Enumerable.Range(0, 5).Select(_ => TestImages.Repository("catalog")).ToList();
        foreach (var repository in repositories)
        {
            var blob = TestBlob.Random(16);
            await client.PushBlobAsync(repository, blob.Digest, blob.Size, blob.Open);
            await client.PutManifestAsync(repository, "v1", await TestImages.PushOciImageAsync(client, repository), MediaTypes.OciManifest);
        }

        using var counting = new CountingHandler();
        using var paged = new RegistryClient(fixture.Registry.Host, handler: counting);
        var catalog = await paged.CatalogAsync(pageSize: 2);

        Assert.Superset(repositories.ToHashSet(), catalog.ToHashSet());
        Assert.Equal(catalog.Order(StringComparer.Ordinal), catalog);
        Assert.True(counting.Requests.Count(r => r.Contains("_catalog")) >= 3);
    }

    [Fact]
    public async Task AnUnknownRepositoryHasNoTags()
    {
        using var client = fixture.NewClient();
        var e = await Assert.ThrowsAsync<RegistryNotFoundException>(() => client.ListTagsAsync(TestImages.Repository("none")));
        Assert.Equal(RegistryErrorCodes.NameUnknown, e.Code);
    }
}
