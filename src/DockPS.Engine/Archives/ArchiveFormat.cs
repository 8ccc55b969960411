using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockPS.Engine.Archives;

/// <summary>
/// The names and documents of an image archive. DockPS writes one tar that is both layouts at
/// once, as Docker 25 does: an OCI image layout (<c>oci-layout</c>, <c>index.json</c>,
/// <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>) and Docker's save format (<c>manifest.json</c> naming
/// config and layer files), so older Docker engines, newer ones and OCI tools can all load it.
/// </summary>
internal static class ArchiveFormat
{
    public const string DockerManifest = "manifest.json";
    public const string OciIndex = "index.json";
    public const string OciLayoutFile = "oci-layout";
    public const string Repositories = "repositories";

    /// <summary>The annotation containerd and Docker put the full image name in.</summary>
    public const string ImageNameAnnotation = "io.containerd.image.name";

    /// <summary>The OCI annotation for a reference name: a tag, or (skopeo, crane) a whole name.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public static ReadOnlySpan<byte> OciLayoutContent => """{"imageLayoutVersion":"1.0.0"}"""u8;

    /// <summary>The archive path of a blob.</summary>
    public static string BlobPath(Images.Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    /// <summary>Reads <c>manifest.json</c>.</summary>
    /// <exception cref="InvalidDataException">It is not the JSON list Docker writes.</exception>
    public static IReadOnlyList<DockerArchiveEntry> ParseDockerManifest(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry)
                ?? throw new InvalidDataException("manifest.json is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"manifest.json is not valid JSON: {e.Message}", e);
        }
    }

    public static byte[] DockerManifestBytes(IReadOnlyList<DockerArchiveEntry> entries) =>
        JsonSerializer.SerializeToUtf8Bytes(entries, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry);
}

/// <summary>One image in Docker's <c>manifest.json</c>: paths inside the archive, and its names.</summary>
internal sealed record DockerArchiveEntry
{
    public string Config { get; init; } = "";
    public IReadOnlyList<string>? RepoTags { get; init; }
    public IReadOnlyList<string> Layers { get; init; } = [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<DockerArchiveEntry>))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext;
