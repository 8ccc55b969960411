using System.Net;
using System.Text.Json;
using DockPS.Registry.Client;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>
/// The referrers API of distribution-spec 1.1 (content discovery). Debian's registry 2.8.2 predates
/// it, so these run against ours; <see cref="ReferenceLacksReferrers"/> records what 2.8.2 answers.
/// </summary>
public sealed class ReferrersTests(OurRegistry target) : IClassFixture<OurRegistry>
{
    private const string SbomType = "application/vnd.example.sbom.v1";
    private const string SignatureType = "application/vnd.example.signature.v1";

    [Fact]
    public async Task Referrers_lists_manifests_whose_subject_is_the_digest_and_filters_by_artifact_type()
    {
        using var http = target.NewClient();
        var image = await PushImageAsync(http, NewRepo("refs"));
        var empty = await PushBlobAsync(http, image.Name, "{}"u8.ToArray());
        var sbom = ImageManifestJson(MediaTypes.OciManifest, (empty, 2), [], image.Digest, image.Manifest.Length, artifactType: SbomType,
            configMediaType: MediaTypes.OciEmpty, annotation: "sbom");
        // No artifactType: the config's media type stands in for it.
        var signature = ImageManifestJson(MediaTypes.OciManifest, (empty, 2), [], image.Digest, image.Manifest.Length,
            configMediaType: SignatureType, annotation: "sig");
        foreach (var manifest in new[] { sbom, signature })
        {
            using var put = await PutManifestAsync(http, image.Name, Sha256(manifest), manifest, MediaTypes.OciManifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(image.Digest, Header(put, "OCI-Subject"));
        }

        using var all = await http.GetAsync($"/v2/{image.Name}/referrers/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, all.Content.Headers.ContentType?.MediaType);
        Assert.Null(Header(all, "OCI-Filters-Applied"));
        var listed = await DescriptorsAsync(all);
        Assert.Equal(2, listed.Count);
        var sbomEntry = Assert.Single(listed, d => d.Digest == Sha256(sbom));
        Assert.Equal((SbomType, sbom.Length, MediaTypes.OciManifest, "sbom"), (sbomEntry.ArtifactType, sbomEntry.Size, sbomEntry.MediaType, sbomEntry.Note));
        var sigEntry = Assert.Single(listed, d => d.Digest == Sha256(signature));
        Assert.Equal((SignatureType, "sig"), (sigEntry.ArtifactType, sigEntry.Note));

        using var filtered = await http.GetAsync($"/v2/{image.Name}/referrers/{image.Digest}?artifactType={Uri.EscapeDataString(SbomType)}");
        Assert.Equal("artifactType", Header(filtered, "OCI-Filters-Applied"));
        Assert.Equal(Sha256(sbom), Assert.Single(await DescriptorsAsync(filtered)).Digest);

        // Deleting a referrer takes it off the list.
        using var delete = await http.DeleteAsync($"/v2/{image.Name}/manifests/{Sha256(sbom)}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var after = await http.GetAsync($"/v2/{image.Name}/referrers/{image.Digest}");
        Assert.Equal(Sha256(signature), Assert.Single(await DescriptorsAsync(after)).Digest);
    }

    [Fact]
    public async Task Referrers_of_an_unknown_subject_is_an_empty_index_and_a_bad_digest_is_400()
    {
        using var http = target.NewClient();
        var name = NewRepo("refs");
        using var none = await http.GetAsync($"/v2/{name}/referrers/{Sha256(RandomBytes(8))}");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Empty(await DescriptorsAsync(none));
        using var bad = await http.GetAsync($"/v2/{name}/referrers/sha256:nothex");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_manifest_whose_subject_is_not_pushed_yet_is_accepted()
    {
        // The spec lets a referrer arrive before its subject (a signature pushed first).
        using var http = target.NewClient();
        var name = NewRepo("refs");
        var empty = await PushBlobAsync(http, name, "{}"u8.ToArray());
        var subject = Sha256(RandomBytes(8));
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (empty, 2), [], subject, 100, artifactType: SbomType, configMediaType: MediaTypes.OciEmpty);
        using var put = await PutManifestAsync(http, name, "early", manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var list = await http.GetAsync($"/v2/{name}/referrers/{subject}");
        Assert.Equal(Sha256(manifest), Assert.Single(await DescriptorsAsync(list)).Digest);
    }

    private sealed record Listed(string MediaType, string Digest, long Size, string? ArtifactType, string? Note);

    private static async Task<List<Listed>> DescriptorsAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, json.RootElement.GetProperty("schemaVersion").GetInt32());
        return json.RootElement.GetProperty("manifests").EnumerateArray().Select(d => new Listed(
            d.GetProperty("mediaType").GetString()!,
            d.GetProperty("digest").GetString()!,
            d.GetProperty("size").GetInt64(),
            d.TryGetProperty("artifactType", out var t) ? t.GetString() : null,
            d.TryGetProperty("annotations", out var a) && a.TryGetProperty("org.example.note", out var n) ? n.GetString() : null)).ToList();
    }
}

/// <summary>What Debian's 2.8.2 answers for referrers: 404, which tells v1.1 clients to fall back to the referrers tag.</summary>
public sealed class ReferenceLacksReferrers(ReferenceRegistry target) : IClassFixture<ReferenceRegistry>
{
    [Fact]
    public async Task Reference_2_8_2_has_no_referrers_api()
    {
        using var http = target.NewClient();
        var image = await PushImageAsync(http, NewRepo("refs"));
        using var response = await http.GetAsync($"/v2/{image.Name}/referrers/{image.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
