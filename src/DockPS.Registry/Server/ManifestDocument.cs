using System.Text.Json;
using DockPS.Registry.Client;

namespace DockPS.Registry.Server;

/// <summary>
/// What the registry needs to know of a pushed manifest: its media type, the blobs and child
/// manifests it references (which must be in the repository), its subject (for the referrers
/// API) and the descriptor it is listed with as a referrer. Parsed with the client's models.
/// </summary>
public sealed record ManifestDocument(
    string MediaType,
    IReadOnlyList<string> Blobs,
    IReadOnlyList<string> ChildManifests,
    string? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations)
{
    /// <summary>
    /// Parses and checks a manifest. <paramref name="contentType"/> is the request's; when the body
    /// names its media type too they must agree (the spec makes clients send exactly that value).
    /// Throws MANIFEST_INVALID for anything that is not an OCI or Docker schema 2 manifest or index.
    /// </summary>
    public static ManifestDocument Parse(ReadOnlySpan<byte> body, string? contentType)
    {
        var declared = MediaTypes.Normalize(contentType);
        string? inBody;
        bool hasManifests;
        try
        {
            using var json = JsonDocument.Parse(body.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object) { throw Invalid("the manifest is not a JSON object"); }
            if (!json.RootElement.TryGetProperty("schemaVersion", out var version)
                || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 2)
            {
                throw Invalid("schemaVersion must be 2");
            }
            inBody = json.RootElement.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            hasManifests = json.RootElement.TryGetProperty("manifests", out _);
        }
        catch (JsonException e)
        {
            throw Invalid("the manifest is not valid JSON: " + e.Message);
        }
        catch (FormatException)
        {
            throw Invalid("schemaVersion must be 2");
        }

        if (inBody is not null && declared is not null && declared != "application/octet-stream" && inBody != declared)
        {
            throw Invalid($"Content-Type '{declared}' differs from the manifest's mediaType '{inBody}'");
        }
        // OCI manifests may omit mediaType; then the Content-Type says it, else the shape does.
        var mediaType = inBody ?? (declared is not null && declared != "application/octet-stream" ? declared
            : hasManifests ? MediaTypes.OciIndex : MediaTypes.OciManifest);

        try
        {
            if (MediaTypes.IsManifest(mediaType))
            {
                var manifest = ImageManifest.Parse(body);
                if (!ContentDigest.IsValid(manifest.Config.Digest)) { throw Invalid("the config descriptor has no valid digest"); }
                var blobs = new List<string> { manifest.Config.Digest };
                foreach (var layer in manifest.Layers)
                {
                    if (!ContentDigest.IsValid(layer.Digest)) { throw Invalid($"layer digest '{layer.Digest}' is not valid"); }
                    // Foreign (non-distributable) layers are fetched from their URLs, not pushed here.
                    if (layer.Urls is { Count: > 0 }) { continue; }
                    blobs.Add(layer.Digest);
                }
                return new ManifestDocument(mediaType, blobs, [], SubjectOf(manifest.Subject),
                    string.IsNullOrEmpty(manifest.ArtifactType) ? manifest.Config.MediaType : manifest.ArtifactType,
                    manifest.Annotations);
            }
            if (MediaTypes.IsIndex(mediaType))
            {
                var index = ImageIndex.Parse(body);
                var children = new List<string>();
                foreach (var entry in index.Manifests)
                {
                    if (!ContentDigest.IsValid(entry.Digest)) { throw Invalid($"manifest digest '{entry.Digest}' is not valid"); }
                    children.Add(entry.Digest);
                }
                return new ManifestDocument(mediaType, [], children, SubjectOf(index.Subject),
                    string.IsNullOrEmpty(index.ArtifactType) ? null : index.ArtifactType, index.Annotations);
            }
        }
        catch (InvalidDataException e)
        {
            throw Invalid(e.Message);
        }
        throw Invalid($"unsupported manifest media type '{mediaType}'");
    }

    private static string? SubjectOf(Descriptor? subject)
    {
        if (subject is null) { return null; }
        return ContentDigest.IsValid(subject.Digest) ? subject.Digest : throw Invalid("the subject descriptor has no valid digest");
    }

    private static DistributionException Invalid(string message) =>
        new(DistributionErrorCode.ManifestInvalid, message);
}
