using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DockPS.Registry.Client;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>
/// The MUSTs of the distribution spec's pull, push, content discovery and content management
/// categories, written from the spec. One suite, run against every registry (containerd's way):
/// ours, and Debian's docker-registry 2.8.2, which proves the suite asks what the spec asks.
/// The referrers API (v1.1, newer than 2.8.2) is in <see cref="ReferrersTests"/>.
/// </summary>
public abstract class ConformanceSuite<TTarget>(TTarget target) where TTarget : RegistryTarget
{
    protected TTarget Target { get; } = target;

    // ---- pull ----

    [Fact]
    public async Task Ping_answers_200_with_the_api_version_header()
    {
        using var http = Target.NewClient();
        using var response = await http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", Header(response, "Docker-Distribution-API-Version"));
    }

    [Theory]
    [InlineData(MediaTypes.OciManifest)]
    [InlineData(MediaTypes.DockerManifest)]
    public async Task Manifest_pulls_by_tag_and_by_digest_byte_for_byte(string mediaType)
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo(), "v1", mediaType);
        foreach (var reference in new[] { "v1", image.Digest })
        {
            using var get = await http.GetAsync($"/v2/{image.Name}/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(mediaType, get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(image.Digest, Header(get, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Manifest_head_answers_200_with_digest_and_length_and_no_body()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo());
        foreach (var reference in new[] { "latest", image.Digest })
        {
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{image.Name}/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(image.Digest, Header(head, "Docker-Content-Digest"));
            Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Unknown_manifests_are_404_by_tag_digest_and_repository()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo());
        var missing = Sha256(RandomBytes(16));
        foreach (var path in new[] { $"/v2/{image.Name}/manifests/nope", $"/v2/{image.Name}/manifests/{missing}", $"/v2/{NewRepo()}/manifests/latest" })
        {
            using var get = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Contains(await ErrorCodeAsync(get), new[] { "MANIFEST_UNKNOWN", "NAME_UNKNOWN" });
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
    }

    [Fact]
    public async Task Blob_pulls_with_get_and_head_and_unknown_blobs_are_404()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(70_000);
        var digest = await PushBlobAsync(http, name, content);
        using var get = await http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, Header(get, "Docker-Content-Digest"));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{name}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Equal(digest, Header(head, "Docker-Content-Digest"));

        var missing = Sha256(RandomBytes(16));
        using var unknown = await http.GetAsync($"/v2/{name}/blobs/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await ErrorCodeAsync(unknown));
        using var unknownHead = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{name}/blobs/{missing}"));
        Assert.Equal(HttpStatusCode.NotFound, unknownHead.StatusCode);
    }

    [Fact]
    public async Task Blob_range_request_answers_206_with_the_part()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(10_000);
        var digest = await PushBlobAsync(http, name, content);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(1000, 2999);
        using var part = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content[1000..3000], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 1000-2999/10000", part.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task A_blob_of_several_megabytes_comes_back_whole_and_by_ranges_across_megabyte_boundaries()
    {
        // Larger than the step a registry may read a file in (ours reads 1 MiB at a time).
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(3 * 1024 * 1024 + 12_345);
        var digest = await PushBlobAsync(http, name, content);
        using var whole = await http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());
        foreach (var (from, to) in new[] { (1024L * 1024 - 10, 2L * 1024 * 1024 + 10), (5L, 3L * 1024 * 1024 + 1), (3L * 1024 * 1024, content.Length - 1L) })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/blobs/{digest}");
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var part = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(content[(int)from..(int)(to + 1)], await part.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Index_and_manifest_list_pull_after_their_children()
    {
        using var http = Target.NewClient();
        var oci = await PushImageAsync(http, NewRepo(), "amd64");
        var docker = await PushImageAsync(http, oci.Name, "amd64-docker", MediaTypes.DockerManifest);
        foreach (var (type, child) in new[] { (MediaTypes.OciIndex, oci), (MediaTypes.DockerManifestList, docker) })
        {
            var index = IndexJson(type, [(child.MediaType, child.Digest, child.Manifest.Length)]);
            using var put = await PutManifestAsync(http, oci.Name, "multi", index, type);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            using var get = await http.GetAsync($"/v2/{oci.Name}/manifests/multi");
            Assert.Equal(index, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(type, get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Sha256(index), Header(get, "Docker-Content-Digest"));
        }
    }

    // ---- push ----

    [Fact]
    public async Task Post_then_put_answers_202_with_location_then_201_with_a_pullable_location()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(5000);
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.NotNull(start.Headers.Location);
        Assert.False(string.IsNullOrEmpty(Header(start, "Docker-Upload-UUID")));
        var put = new UriBuilder(Resolve(http, start));
        put.Query = (put.Query.Length > 1 ? put.Query[1..] + "&" : "") + "digest=" + Sha256(content);
        using var done = await http.PutAsync(put.Uri, Octets(content));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(Sha256(content), Header(done, "Docker-Content-Digest"));
        using var pulled = await http.GetAsync(Resolve(http, done));
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Single_post_push_creates_the_blob_or_falls_back_to_a_session()
    {
        // Single-POST pushes are a MAY; a registry without them SHOULD answer 202 with a session.
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(4000);
        using var post = await http.PostAsync($"/v2/{name}/blobs/uploads/?digest={Sha256(content)}", Octets(content));
        if (Target.IsReference)
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            Assert.NotNull(post.Headers.Location);
            return;
        }
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        using var pulled = await http.GetAsync(Resolve(http, post));
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Chunked_push_accepts_chunks_in_order_and_reports_the_range()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(30_000);
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = Resolve(http, start);
        foreach (var (from, to) in new[] { (0, 9_999), (10_000, 19_999) })
        {
            var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Octets(content[from..(to + 1)]) };
            patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{to}");
            using var chunk = await http.SendAsync(patch);
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
            Assert.Equal($"0-{to}", Header(chunk, "Range"));
            location = Resolve(http, chunk);
        }
        // Status of the session: 204 with where it stands.
        using var status = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-19999", Header(status, "Range"));
        Assert.NotNull(status.Headers.Location);

        // The last chunk rides on the closing PUT.
        var close = new UriBuilder(location);
        close.Query = (close.Query.Length > 1 ? close.Query[1..] + "&" : "") + "digest=" + Sha256(content);
        var put = new HttpRequestMessage(HttpMethod.Put, close.Uri) { Content = Octets(content[20_000..]) };
        put.Content.Headers.TryAddWithoutValidation("Content-Range", "20000-29999");
        using var done = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var pulled = await http.GetAsync(Resolve(http, done));
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Cancelled_upload_is_gone()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        var location = Resolve(http, start);
        using var cancel = await http.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        using var status = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await ErrorCodeAsync(status));
    }

    [Fact]
    public async Task Mount_from_another_repository_answers_201_and_an_unknown_blob_202()
    {
        using var http = Target.NewClient();
        var source = NewRepo();
        var target = NewRepo();
        var content = RandomBytes(2000);
        var digest = await PushBlobAsync(http, source, content);
        using var mount = await http.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(digest, Header(mount, "Docker-Content-Digest"));
        using var pulled = await http.GetAsync(Resolve(http, mount));
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());

        using var notThere = await http.PostAsync($"/v2/{target}/blobs/uploads/?mount={Sha256(RandomBytes(8))}&from={source}", null);
        Assert.Equal(HttpStatusCode.Accepted, notThere.StatusCode);
        Assert.NotNull(notThere.Headers.Location);
    }

    [Fact]
    public async Task Manifest_put_answers_201_with_location_and_digest_by_tag_and_by_digest()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo());
        // The same bytes pushed again by digest; spaces make a different, valid document.
        var spaced = System.Text.Encoding.UTF8.GetBytes(" " + System.Text.Encoding.UTF8.GetString(image.Manifest) + "\n");
        using var byDigest = await PutManifestAsync(http, image.Name, Sha256(spaced), spaced, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, byDigest.StatusCode);
        Assert.Equal(Sha256(spaced), Header(byDigest, "Docker-Content-Digest"));
        using var pulled = await http.GetAsync(Resolve(http, byDigest));
        Assert.Equal(spaced, await pulled.Content.ReadAsByteArrayAsync()); // stored exactly as sent
    }

    [Fact]
    public async Task Manifest_naming_missing_blobs_is_refused()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var config = await PushBlobAsync(http, name, "{}"u8.ToArray());
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (config, 2), [(Sha256(RandomBytes(10)), 10)]);
        using var put = await PutManifestAsync(http, name, "broken", manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await ErrorCodeAsync(put));
        using var get = await http.GetAsync($"/v2/{name}/manifests/broken");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    // ---- content discovery ----

    [Fact]
    public async Task Tags_list_names_every_tag_in_order()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo(), "b");
        foreach (var tag in new[] { "a", "D", "c", "e" })
        {
            using var put = await PutManifestAsync(http, image.Name, tag, image.Manifest, image.MediaType);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var all = await TagsAsync(http, $"/v2/{image.Name}/tags/list", image.Name);
        // A MUST that 2.8.2 does not meet: it lists tags in storage order (distribution 3 sorts
        // them), so only the set is checked there.
        Assert.Equal(["D", "a", "b", "c", "e"], Target.IsReference ? all.Order(StringComparer.Ordinal) : all);

    }

    [Fact]
    public async Task Tags_list_of_an_unknown_repository_is_404()
    {
        using var http = Target.NewClient();
        using var response = await http.GetAsync($"/v2/{NewRepo()}/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Catalog_lists_repositories_in_pages()
    {
        using var http = Target.NewClient();
        var prefix = $"cat{Guid.NewGuid():n}"[..12];
        var names = new[] { $"{prefix}/a", $"{prefix}/b", $"{prefix}/c" };
        foreach (var name in names) { await PushImageAsync(http, name); }
        var seen = new List<string>();
        string? next = "/v2/_catalog?n=2";
        while (next is not null)
        {
            using var page = await http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var json = JsonDocument.Parse(await page.Content.ReadAsByteArrayAsync());
            var repos = json.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.True(repos.Count <= 2);
            seen.AddRange(repos);
            var link = Header(page, "Link");
            next = link is null ? null : link[(link.IndexOf('<') + 1)..link.IndexOf('>')];
        }
        Assert.Equal(names, seen.Where(n => n.StartsWith(prefix + "/", StringComparison.Ordinal)));
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    // ---- content management ----

    [Fact]
    public async Task Manifest_delete_by_digest_answers_202_and_takes_its_tags()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo());
        using var delete = await http.DeleteAsync($"/v2/{image.Name}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byDigest = await http.GetAsync($"/v2/{image.Name}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        using var byTag = await http.GetAsync($"/v2/{image.Name}/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        using var again = await http.DeleteAsync($"/v2/{image.Name}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Tag_delete_answers_202_or_says_it_is_disabled()
    {
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo(), "one");
        using var delete = await http.DeleteAsync($"/v2/{image.Name}/manifests/one");
        if (Target.IsReference)
        {
            // 2.8.2 deletes by digest only; the spec lets it say so with 400 or 405.
            Assert.Contains(delete.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.MethodNotAllowed });
            return;
        }
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byTag = await http.GetAsync($"/v2/{image.Name}/manifests/one");
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        using var byDigest = await http.GetAsync($"/v2/{image.Name}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task Blob_delete_answers_202_then_404()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var digest = await PushBlobAsync(http, name, RandomBytes(500));
        using var delete = await http.DeleteAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var get = await http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var again = await http.DeleteAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    internal static async Task<List<string>> TagsAsync(HttpClient http, string path, string name)
    {
        using var response = await http.GetAsync(path);
        return await ReadTagsAsync(response, name);
    }

    internal static async Task<List<string>> ReadTagsAsync(HttpResponseMessage response, string name)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(name, json.RootElement.GetProperty("name").GetString());
        return json.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}

/// <summary>The suite against our registry.</summary>
public sealed class OurConformance(OurRegistry target) : ConformanceSuite<OurRegistry>(target), IClassFixture<OurRegistry>
{
    [Fact]
    public async Task Chunk_out_of_order_is_416()
    {
        // A MUST that 2.8.2 does not meet: it ignores Content-Range on PATCH and appends the
        // chunk wherever it claims to start (checked by hand: 0-99 then 500-599 answers Range 0-199).
        using var http = Target.NewClient();
        var name = NewRepo();
        using var start = await http.PostAsync($"/v2/{name}/blobs/uploads/", new ByteArrayContent([]));
        var location = Resolve(http, start);
        var first = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Octets(RandomBytes(100)) };
        first.Content.Headers.TryAddWithoutValidation("Content-Range", "0-99");
        using var ok = await http.SendAsync(first);
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        var gap = new HttpRequestMessage(HttpMethod.Patch, Resolve(http, ok)) { Content = Octets(RandomBytes(100)) };
        gap.Content.Headers.TryAddWithoutValidation("Content-Range", "200-299");
        using var refused = await http.SendAsync(gap);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
    }

    [Fact]
    public async Task Tags_list_paginates_with_n_and_last()
    {
        // 2.8.2 ignores n and last on tags (it answers the whole list; distribution 3 added
        // pagination), so this v1.1 behaviour is checked against ours only.
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo(), "b");
        foreach (var tag in new[] { "a", "D", "c", "e" })
        {
            using var put = await PutManifestAsync(http, image.Name, tag, image.Manifest, image.MediaType);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        using var page = await http.GetAsync($"/v2/{image.Name}/tags/list?n=2");
        Assert.Equal(["D", "a"], await ReadTagsAsync(page, image.Name));
        var link = Header(page, "Link");
        Assert.NotNull(link);
        Assert.Contains("rel=\"next\"", link);
        var next = link![(link.IndexOf('<') + 1)..link.IndexOf('>')];
        Assert.Equal(["b", "c"], await TagsAsync(http, next, image.Name));

        Assert.Equal(["c", "e"], await TagsAsync(http, $"/v2/{image.Name}/tags/list?n=2&last=b", image.Name));
        Assert.Equal(["c", "e"], await TagsAsync(http, $"/v2/{image.Name}/tags/list?last=b", image.Name));
        Assert.Equal(["D", "a", "b", "c", "e"], await TagsAsync(http, $"/v2/{image.Name}/tags/list?n=5", image.Name));
    }


    [Fact]
    public async Task Tags_list_with_n_0_is_empty_without_link()
    {
        // A v1.1 MUST that 2.8.2 does not meet (it answers the whole list), hence ours only.
        using var http = Target.NewClient();
        var image = await PushImageAsync(http, NewRepo());
        using var response = await http.GetAsync($"/v2/{image.Name}/tags/list?n=0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, json.RootElement.GetProperty("tags").GetArrayLength());
        Assert.Null(Header(response, "Link"));
    }

    [Fact]
    public async Task Sha512_blobs_and_manifests_push_and_pull()
    {
        using var http = Target.NewClient();
        var name = NewRepo();
        var content = RandomBytes(3000);
        var digest = await PushBlobAsync(http, name, content, Sha512(content));
        using var get = await http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, Header(get, "Docker-Content-Digest"));
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (digest, content.Length), []);
        using var put = await PutManifestAsync(http, name, Sha512(manifest), manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(Sha512(manifest), Header(put, "Docker-Content-Digest"));
    }
}

/// <summary>The suite against Debian's docker-registry 2.8.2, which proves the suite.</summary>
public sealed class ReferenceConformance(ReferenceRegistry target) : ConformanceSuite<ReferenceRegistry>(target), IClassFixture<ReferenceRegistry>;
