using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DockPS.Registry.Client;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>
/// One scripted sequence of requests replayed against Debian's docker-registry 2.8.2 and against
/// ours, each freshly started over an empty root, and the two transcripts diffed step by step:
/// status, the headers the spec asks for (normalized), and bodies (JSON compared structurally with
/// volatile values masked, error bodies by their set of codes, stored content by digest).
/// </summary>
/// <remarks>
/// Left out of the script, because 2.8.2 is known to depart from distribution-spec v1.1 there (each
/// is checked against ours alone in <see cref="OurConformance"/> or <see cref="ReferrersTests"/>):
/// <list type="bullet">
/// <item>tags list order: 2.8.2 lists tags in directory order, not lexically; the tags list steps
/// stay in, with the tag array compared as a set (<see cref="Transcript.Normalize"/>);</item>
/// <item>tags list <c>n</c>/<c>last</c> pagination: 2.8.2 ignores both and answers every tag;</item>
/// <item>a PATCH whose <c>Content-Range</c> does not follow: 2.8.2 ignores the header and appends (no 416);</item>
/// <item>the referrers API (<c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>): newer than 2.8.2;</item>
/// <item>deleting a tag: 2.8.2 deletes manifests by digest only (it answers 400/405, which the spec allows,
/// but the state then diverges, so it is not sent);</item>
/// <item>an OCI manifest fetched without an Accept naming it: 2.8.2 answers 404; every manifest
/// request here names its media type, as clients SHOULD;</item>
/// <item>a single-POST monolithic upload (<c>POST ?digest=</c> with the body): a MAY; 2.8.2 falls
/// back to a session (202), ours stores it (201).</item>
/// </list>
/// </remarks>
public sealed partial class ReplayDiffTests
{
    private const string App = "replay/app";
    private const string Other = "replay/other";
    private const string Nowhere = "replay/nothing";

    [Fact]
    public async Task ReplayDiff_reference_and_ours_answer_the_scripted_requests_alike()
    {
        // Fresh registries for this test only, so catalog and tags hold exactly what the script pushed.
        Transcript reference;
        using (var target = new ReferenceRegistry()) { reference = await ReplayAsync(target); }
        Transcript ours;
        using (var target = new OurRegistry()) { ours = await ReplayAsync(target); }

        Assert.True(reference.Steps.Count >= 50, $"the script ran only {reference.Steps.Count} steps against the reference");
        Assert.Equal(reference.Steps.Select(s => s.Name), ours.Steps.Select(s => s.Name));

        var problems = new List<string>();
        // The script states the status the spec gives each step: the reference must meet it too,
        // else the diff would prove little (two registries failing alike).
        foreach (var step in reference.Steps.Where(s => s.Status != s.Expected))
        {
            problems.Add($"reference answered {step.Status} to '{step.Name}', the script expects {step.Expected}");
        }
        for (var i = 0; i < reference.Steps.Count; i++)
        {
            var (r, o) = (reference.Steps[i], ours.Steps[i]);
            var lines = r.Describe().Zip(o.Describe()).Where(p => p.First != p.Second).ToList();
            if (lines.Count == 0) { continue; }
            problems.Add($"step {i + 1} '{r.Name}' ({r.Request}):\n"
                + string.Join('\n', lines.Select(p => $"    reference: {p.First}\n    ours:      {p.Second}")));
        }
        Assert.True(problems.Count == 0,
            $"{problems.Count} difference(s) over {reference.Steps.Count} steps:\n" + string.Join('\n', problems)
            + "\n\nfull reference transcript:\n" + reference);
    }

    /// <summary>The script. Only the Location values a registry hands back vary between the two runs.</summary>
    private static async Task<Transcript> ReplayAsync(RegistryTarget target)
    {
        // No default Accept: each manifest request names the type it wants.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{target.Host}"),
            Timeout = TimeSpan.FromMinutes(1),
        };
        var t = new Transcript(http);
        var seeded = new Random(5);
        byte[] Bytes(int length) { var b = new byte[length]; seeded.NextBytes(b); return b; }

        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var chunked = Bytes(30_000);
        var streamed = Bytes(12_345);
        var stray = Bytes(64);
        var (configDigest, chunkedDigest, streamedDigest, strayDigest) = (Sha256(config), Sha256(chunked), Sha256(streamed), Sha256(stray));

        // ---- ping ----
        await t.Step("ping", HttpStatusCode.OK, HttpMethod.Get, "/v2/", kind: Kind.Ping);

        // ---- blob pushes ----
        var post = await t.Step("monolithic: POST opens a session", HttpStatusCode.Accepted, HttpMethod.Post, $"/v2/{App}/blobs/uploads/");
        await t.Step("monolithic: PUT with the whole blob and its digest", HttpStatusCode.Created, HttpMethod.Put,
            WithDigest(post.Location, configDigest), Octets(config));

        post = await t.Step("chunked: POST opens a session", HttpStatusCode.Accepted, HttpMethod.Post, $"/v2/{App}/blobs/uploads/", new ByteArrayContent([]));
        var location = post.Location;
        foreach (var (from, to) in new[] { (0, 9_999), (10_000, 19_999) })
        {
            var patch = await t.Step($"chunked: PATCH {from}-{to}", HttpStatusCode.Accepted, HttpMethod.Patch, location, Octets(chunked[from..(to + 1)]),
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{to}"));
            location = patch.Location;
        }
        var status = await t.Step("chunked: GET the session's status", HttpStatusCode.NoContent, HttpMethod.Get, location);
        await t.Step("chunked: PUT with the last chunk and the digest", HttpStatusCode.Created, HttpMethod.Put,
            WithDigest(status.Location, chunkedDigest), Octets(chunked[20_000..]),
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "20000-29999"));

        post = await t.Step("streamed: POST opens a session", HttpStatusCode.Accepted, HttpMethod.Post, $"/v2/{App}/blobs/uploads/");
        var streamPatch = await t.Step("streamed: PATCH the whole blob without Content-Range", HttpStatusCode.Accepted, HttpMethod.Patch,
            post.Location, Octets(streamed));
        await t.Step("streamed: PUT with no body closes it", HttpStatusCode.Created, HttpMethod.Put, WithDigest(streamPatch.Location, streamedDigest));

        post = await t.Step("wrong digest: POST opens a session", HttpStatusCode.Accepted, HttpMethod.Post, $"/v2/{App}/blobs/uploads/");
        await t.Step("wrong digest: PUT whose digest is not the content's", HttpStatusCode.BadRequest, HttpMethod.Put,
            WithDigest(post.Location, strayDigest), Octets(Bytes(100)));
        await t.Step("wrong digest: nothing stored under the claimed digest", HttpStatusCode.NotFound, HttpMethod.Head, $"/v2/{App}/blobs/{strayDigest}");

        post = await t.Step("cancel: POST opens a session", HttpStatusCode.Accepted, HttpMethod.Post, $"/v2/{App}/blobs/uploads/");
        await t.Step("cancel: DELETE the session", HttpStatusCode.NoContent, HttpMethod.Delete, post.Location);
        await t.Step("cancel: GET the cancelled session's status", HttpStatusCode.NotFound, HttpMethod.Get, post.Location);

        await t.Step("mount: from another repository", HttpStatusCode.Created, HttpMethod.Post,
            $"/v2/{Other}/blobs/uploads/?mount={configDigest}&from={App}");
        await t.Step("mount: a blob the source lacks falls back to a session", HttpStatusCode.Accepted, HttpMethod.Post,
            $"/v2/{Other}/blobs/uploads/?mount={strayDigest}&from={App}");

        // ---- blob pulls ----
        foreach (var (what, digest) in new[] { ("monolithic", configDigest), ("chunked", chunkedDigest), ("streamed", streamedDigest) })
        {
            await t.Step($"HEAD the {what} blob", HttpStatusCode.OK, HttpMethod.Head, $"/v2/{App}/blobs/{digest}", kind: Kind.Content);
            await t.Step($"GET the {what} blob", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{App}/blobs/{digest}", kind: Kind.Content);
        }
        await t.Step("GET the mounted blob in the other repository", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{Other}/blobs/{configDigest}", kind: Kind.Content);
        await t.Step("ranged GET bytes 1000-2999 of the chunked blob", HttpStatusCode.PartialContent, HttpMethod.Get, $"/v2/{App}/blobs/{chunkedDigest}",
            setup: r => r.Headers.Range = new RangeHeaderValue(1000, 2999), kind: Kind.Content);
        await t.Step("ranged GET of an open-ended range", HttpStatusCode.PartialContent, HttpMethod.Get, $"/v2/{App}/blobs/{chunkedDigest}",
            setup: r => r.Headers.Range = new RangeHeaderValue(29_000, null), kind: Kind.Content);
        await t.Step("HEAD an unknown blob", HttpStatusCode.NotFound, HttpMethod.Head, $"/v2/{App}/blobs/{strayDigest}");
        await t.Step("GET an unknown blob", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/blobs/{strayDigest}");
        await t.Step("GET a blob of an unknown repository", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{Nowhere}/blobs/{configDigest}");

        // ---- manifest pushes ----
        var oci = ImageManifestJson(MediaTypes.OciManifest, (configDigest, config.Length), [(chunkedDigest, chunked.Length)]);
        var docker = ImageManifestJson(MediaTypes.DockerManifest, (configDigest, config.Length), [(streamedDigest, streamed.Length)]);
        var other = ImageManifestJson(MediaTypes.OciManifest, (configDigest, config.Length), [(configDigest, config.Length)]);
        var broken = ImageManifestJson(MediaTypes.OciManifest, (configDigest, config.Length), [(strayDigest, stray.Length)]);
        var (ociDigest, dockerDigest) = (Sha256(oci), Sha256(docker));

        await t.Step("PUT the OCI manifest by tag v1", HttpStatusCode.Created, HttpMethod.Put, $"/v2/{App}/manifests/v1", Manifest(oci, MediaTypes.OciManifest));
        await t.Step("PUT the Docker schema2 manifest by tag v1-docker", HttpStatusCode.Created, HttpMethod.Put, $"/v2/{App}/manifests/v1-docker",
            Manifest(docker, MediaTypes.DockerManifest));
        await t.Step("PUT a manifest in the other repository", HttpStatusCode.Created, HttpMethod.Put, $"/v2/{Other}/manifests/latest",
            Manifest(other, MediaTypes.OciManifest));
        await t.Step("PUT a manifest naming a missing blob", HttpStatusCode.BadRequest, HttpMethod.Put, $"/v2/{App}/manifests/broken",
            Manifest(broken, MediaTypes.OciManifest));
        await t.Step("PUT a manifest under a digest that is not its own", HttpStatusCode.BadRequest, HttpMethod.Put, $"/v2/{App}/manifests/{dockerDigest}",
            Manifest(oci, MediaTypes.OciManifest));

        // ---- manifest pulls ----
        foreach (var (what, type, tag, digest) in new[] { ("OCI", MediaTypes.OciManifest, "v1", ociDigest), ("Docker", MediaTypes.DockerManifest, "v1-docker", dockerDigest) })
        {
            foreach (var reference in new[] { tag, digest })
            {
                var by = reference == tag ? "tag" : "digest";
                await t.Step($"GET the {what} manifest by {by}", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{App}/manifests/{reference}", accept: type, kind: Kind.Content);
                await t.Step($"HEAD the {what} manifest by {by}", HttpStatusCode.OK, HttpMethod.Head, $"/v2/{App}/manifests/{reference}", accept: type, kind: Kind.Content);
            }
        }
        await t.Step("GET the manifest that was refused", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/manifests/broken", accept: MediaTypes.OciManifest);
        await t.Step("GET an unknown tag", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/manifests/nope", accept: MediaTypes.OciManifest);
        await t.Step("HEAD an unknown tag", HttpStatusCode.NotFound, HttpMethod.Head, $"/v2/{App}/manifests/nope", accept: MediaTypes.OciManifest);
        await t.Step("GET an unknown manifest digest", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/manifests/{strayDigest}", accept: MediaTypes.OciManifest);
        await t.Step("GET a manifest of an unknown repository", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{Nowhere}/manifests/v1", accept: MediaTypes.OciManifest);

        // ---- content discovery ----
        await t.Step("tags list", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{App}/tags/list");
        await t.Step("tags list of an unknown repository", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{Nowhere}/tags/list");
        await t.Step("catalog", HttpStatusCode.OK, HttpMethod.Get, "/v2/_catalog");
        var page = await t.Step("catalog, first page of one", HttpStatusCode.OK, HttpMethod.Get, "/v2/_catalog?n=1");
        await t.Step("catalog, the page the Link names", HttpStatusCode.OK, HttpMethod.Get, page.Next ?? "/v2/_catalog?missing-link");

        // ---- content management ----
        await t.Step("DELETE the OCI manifest by digest", HttpStatusCode.Accepted, HttpMethod.Delete, $"/v2/{App}/manifests/{ociDigest}");
        await t.Step("GET the deleted manifest by digest", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/manifests/{ociDigest}", accept: MediaTypes.OciManifest);
        await t.Step("GET the deleted manifest's tag", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/manifests/v1", accept: MediaTypes.OciManifest);
        await t.Step("DELETE the deleted manifest again", HttpStatusCode.NotFound, HttpMethod.Delete, $"/v2/{App}/manifests/{ociDigest}");
        await t.Step("tags list after the delete", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{App}/tags/list");
        await t.Step("the Docker manifest is still there", HttpStatusCode.OK, HttpMethod.Get, $"/v2/{App}/manifests/v1-docker",
            accept: MediaTypes.DockerManifest, kind: Kind.Content);

        await t.Step("DELETE the chunked blob", HttpStatusCode.Accepted, HttpMethod.Delete, $"/v2/{App}/blobs/{chunkedDigest}");
        await t.Step("GET the deleted blob", HttpStatusCode.NotFound, HttpMethod.Get, $"/v2/{App}/blobs/{chunkedDigest}");
        await t.Step("HEAD the deleted blob", HttpStatusCode.NotFound, HttpMethod.Head, $"/v2/{App}/blobs/{chunkedDigest}");
        await t.Step("DELETE the deleted blob again", HttpStatusCode.NotFound, HttpMethod.Delete, $"/v2/{App}/blobs/{chunkedDigest}");
        await t.Step("DELETE an unknown blob", HttpStatusCode.NotFound, HttpMethod.Delete, $"/v2/{App}/blobs/{strayDigest}");
        return t;
    }

    private static string WithDigest(string location, string digest) =>
        location + (location.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);

    private static ByteArrayContent Manifest(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private enum Kind
    {
        /// <summary>An API answer: a JSON body compared structurally, or an error by its codes.</summary>
        Api,

        /// <summary>The ping: adds the API version header.</summary>
        Ping,

        /// <summary>Stored content (blob or manifest): Content-Type and the bytes' digest.</summary>
        Content,
    }

    /// <summary>What one step answered, normalized.</summary>
    private sealed record Step(string Name, string Request, int Expected, int Status, IReadOnlyList<(string Header, string Value)> Headers, string Body)
    {
        public IEnumerable<string> Describe() =>
            [$"status {Status}", .. Headers.Select(h => $"{h.Header}: {h.Value}"), $"body {Body}"];

        public override string ToString() => $"{Name} ({Request})\n  " + string.Join("\n  ", Describe());
    }

    /// <summary>What a step hands on to the next: where the registry said to go.</summary>
    private sealed record Answer(string Location, string? Next);

    /// <summary>Sends the steps and keeps their normalized answers.</summary>
    private sealed partial class Transcript(HttpClient http)
    {
        public List<Step> Steps { get; } = [];

        public async Task<Answer> Step(string name, HttpStatusCode expected, HttpMethod method, string url, HttpContent? content = null,
            Action<HttpRequestMessage>? setup = null, string? accept = null, Kind kind = Kind.Api)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            if (accept is not null) { request.Headers.Accept.ParseAdd(accept); }
            setup?.Invoke(request);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = (int)response.StatusCode;
            var ok = status < 400;

            var headers = new List<(string, string)>
            {
                ("Docker-Content-Digest", Raw(response, "Docker-Content-Digest") ?? "(absent)"),
                ("Location", response.Headers.Location is { } l ? MaskPath(Path(l)) : "(absent)"),
                ("Docker-Upload-UUID", Raw(response, "Docker-Upload-UUID") is { Length: > 0 } ? "(present)" : "(absent)"),
                ("Range", Raw(response, "Range") ?? "(absent)"),
                ("WWW-Authenticate", Raw(response, "WWW-Authenticate") is null ? "(absent)" : "(present)"),
            };
            // Error bodies carry free text, so their length is not compared; nor on a 204, which has no body by definition.
            // A JSON answer's bytes are free up to whitespace (2.8.2 ends its documents with a newline),
            // so there the length is checked against the body rather than compared.
            if (ok && status != 204)
            {
                var length = Raw(response, "Content-Length");
                headers.Add(("Content-Length", kind != Kind.Content && body.Length > 0 && length == body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    ? "(the JSON body's length)" : length ?? "(absent)"));
            }
            if (kind == Kind.Content && ok)
            {
                headers.Add(("Content-Type", response.Content.Headers.ContentType?.MediaType ?? "(absent)"));
                headers.Add(("Content-Range", Raw(response, "Content-Range") ?? "(absent)"));
            }
            if (kind == Kind.Ping) { headers.Add(("Docker-Distribution-API-Version", Raw(response, "Docker-Distribution-API-Version") ?? "(absent)")); }
            var next = NextLink(response);
            if (url.Contains("_catalog", StringComparison.Ordinal) || url.Contains("/tags/list", StringComparison.Ordinal))
            {
                headers.Add(("Link", next is null ? "(absent)" : NormalizeLink(next)));
            }

            var described = Describe(method, kind, ok, body);
            Steps.Add(new Step(name, $"{method} {MaskPath(Path(new Uri(http.BaseAddress!, url)))}{Query(new Uri(http.BaseAddress!, url))}", (int)expected, status, headers, described));
            var location = response.Headers.Location is { } loc ? new Uri(http.BaseAddress!, loc).ToString() : url;
            return new Answer(location, next);
        }

        private static string Describe(HttpMethod method, Kind kind, bool ok, byte[] body)
        {
            if (body.Length == 0) { return "(empty)"; }
            if (method == HttpMethod.Head) { return $"{body.Length} bytes on a HEAD"; }
            if (kind == Kind.Content && ok) { return $"{body.Length} bytes, sha256:{Convert.ToHexStringLower(SHA256.HashData(body))}"; }
            JsonElement root;
            try
            {
                using var json = JsonDocument.Parse(body);
                root = json.RootElement.Clone();
            }
            catch (JsonException)
            {
                return $"not JSON: {Encoding.UTF8.GetString(body).Trim()}";
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                // The spec fixes the codes; message and detail are the registry's own words.
                var codes = errors.EnumerateArray().Select(e => e.TryGetProperty("code", out var c) ? c.ToString() : "(no code)").Distinct().Order(StringComparer.Ordinal);
                return "errors " + string.Join(",", codes);
            }
            return Normalize(root, null);
        }

        /// <summary>Canonical JSON: keys sorted, upload ids masked, the tags array as a set (2.8.2 does not sort it).</summary>
        internal static string Normalize(JsonElement element, string? property) => element.ValueKind switch
        {
            JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => JsonSerializer.Serialize(p.Name, Json.Default.String) + ":" + Normalize(p.Value, p.Name))) + "}",
            JsonValueKind.Array => "[" + string.Join(",", property == "tags"
                ? element.EnumerateArray().Select(e => Normalize(e, null)).Order(StringComparer.Ordinal)
                : element.EnumerateArray().Select(e => Normalize(e, null))) + "]",
            JsonValueKind.String => JsonSerializer.Serialize(Uuid().Replace(element.GetString()!, "<uuid>"), Json.Default.String),
            _ => element.GetRawText(),
        };

        private static string? Raw(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
            : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content) : null;

        private static string Path(Uri uri) => uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];

        /// <summary>The path only (a Location may be absolute or relative, its query is the registry's state), the session id masked.</summary>
        private static string MaskPath(string path) => UploadSession().Replace(Uri.UnescapeDataString(path), "/blobs/uploads/<session>");

        /// <summary>The request's query for the step's title, without the registry's upload state.</summary>
        private static string Query(Uri uri)
        {
            var kept = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("_state=", StringComparison.Ordinal)).ToList();
            return kept.Count == 0 ? "" : "?" + Uri.UnescapeDataString(string.Join("&", kept));
        }

        private static string? NextLink(HttpResponseMessage response)
        {
            var link = Raw(response, "Link");
            if (link is null || !link.Contains("rel=\"next\"", StringComparison.Ordinal)) { return null; }
            return link[(link.IndexOf('<') + 1)..link.IndexOf('>')];
        }

        /// <summary>A Link target as its path and decoded, sorted query parameters.</summary>
        private static string NormalizeLink(string target)
        {
            var uri = new Uri(new Uri("http://host"), target);
            var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(Uri.UnescapeDataString).Order(StringComparer.Ordinal);
            return $"<{uri.AbsolutePath}?{string.Join("&", query)}>; rel=\"next\"";
        }

        public override string ToString() => string.Join("\n", Steps.Select((s, i) => $"{i + 1}. {s}"));

        [GeneratedRegex("/blobs/uploads/[^/?]+")]
        private static partial Regex UploadSession();

        [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
        private static partial Regex Uuid();
    }

    /// <summary>Source-generated JSON metadata (reflection is off in this project, as in the AOT registry).</summary>
    [System.Text.Json.Serialization.JsonSerializable(typeof(string))]
    private sealed partial class Json : System.Text.Json.Serialization.JsonSerializerContext;
}
