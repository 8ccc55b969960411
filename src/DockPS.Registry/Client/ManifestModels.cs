using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockPS.Registry.Client;

/// <summary>An OCI content descriptor: what a manifest or index says about a blob or another manifest.</summary>
public sealed record Descriptor
{
    /// <summary>The media type of the referenced content.</summary>
    public string MediaType { get; init; } = "";

    /// <summary>The content's digest.</summary>
    public string Digest { get; init; } = "";

    /// <summary>The content's size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Other places the content can be fetched from (foreign layers).</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>Arbitrary metadata.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>The platform of the referenced manifest, in an index.</summary>
    public Platform? Platform { get; init; }

    /// <summary>The artifact type of the referenced manifest, for artifacts.</summary>
    public string? ArtifactType { get; init; }
}

/// <summary>The platform an index entry runs on.</summary>
public sealed record Platform
{
    /// <summary>CPU architecture in Go's naming (<c>amd64</c>, <c>arm64</c>).</summary>
    public string Architecture { get; init; } = "";

    /// <summary>Operating system in Go's naming (<c>linux</c>).</summary>
    [JsonPropertyName("os")]
    public string Os { get; init; } = "";

    /// <summary>Operating system version (Windows images).</summary>
    [JsonPropertyName("os.version")]
    public string? OsVersion { get; init; }

    /// <summary>Required operating system features (Windows images).</summary>
    [JsonPropertyName("os.features")]
    public IReadOnlyList<string>? OsFeatures { get; init; }

    /// <summary>CPU variant (<c>v7</c>, <c>v8</c>).</summary>
    public string? Variant { get; init; }
}

/// <summary>An image manifest (OCI, or Docker schema 2, which has the same shape).</summary>
public sealed record ImageManifest
{
    /// <summary>Always 2 for the formats read here.</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The manifest's own media type, when it states it (Docker always does; OCI should).</summary>
    public string? MediaType { get; init; }

    /// <summary>The artifact type, for artifacts.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The image configuration blob.</summary>
    public Descriptor Config { get; init; } = new();

    /// <summary>The layers, base first.</summary>
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>The manifest this one refers to (signatures, SBOMs).</summary>
    public Descriptor? Subject { get; init; }

    /// <summary>Arbitrary metadata.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Parses manifest bytes; throws <see cref="InvalidDataException"/> when they are not one.</summary>
    public static ImageManifest Parse(ReadOnlySpan<byte> json) =>
        ManifestJson.Parse(json, RegistryJsonContext.Default.ImageManifest, "image manifest");

    /// <summary>The canonical JSON of this manifest (what to push when the engine wrote it).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RegistryJsonContext.Default.ImageManifest);
}

/// <summary>An image index (OCI) or manifest list (Docker): one manifest per platform.</summary>
public sealed record ImageIndex
{
    /// <summary>Always 2 for the formats read here.</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The index's own media type, when it states it.</summary>
    public string? MediaType { get; init; }

    /// <summary>The artifact type, for artifacts.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The platform manifests.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; init; } = [];

    /// <summary>The manifest this one refers to.</summary>
    public Descriptor? Subject { get; init; }

    /// <summary>Arbitrary metadata.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Parses index bytes; throws <see cref="InvalidDataException"/> when they are not one.</summary>
    public static ImageIndex Parse(ReadOnlySpan<byte> json) =>
        ManifestJson.Parse(json, RegistryJsonContext.Default.ImageIndex, "image index");

    /// <summary>The canonical JSON of this index.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RegistryJsonContext.Default.ImageIndex);

    /// <summary>
    /// The first entry for the platform, in index order, or null when there is none. Names are
    /// compared as Go spells them (<c>x86_64</c> is <c>amd64</c>, <c>aarch64</c> is <c>arm64</c>);
    /// without a <paramref name="variant"/>, the architecture's default variant is wanted
    /// (<c>v8</c> for arm64, <c>v7</c> for arm, none for the rest), as containerd matches. Entries
    /// without a platform (attestations in the <c>unknown/unknown</c> convention) never match.
    /// </summary>
    public Descriptor? SelectPlatform(string os = "linux", string architecture = "amd64", string? variant = null)
    {
        var wantArch = NormalizeArchitecture(architecture);
        var wantVariant = NormalizeVariant(wantArch, variant);
        return Manifests.FirstOrDefault(m => m.Platform is { } p
            && string.Equals(p.Os, os, StringComparison.OrdinalIgnoreCase)
            && NormalizeArchitecture(p.Architecture) == wantArch
            && NormalizeVariant(wantArch, p.Variant) == wantVariant);
    }

    private static string NormalizeArchitecture(string architecture) => architecture.ToLowerInvariant() switch
    {
        "x86_64" or "x86-64" => "amd64",
        "aarch64" => "arm64",
        "armhf" or "armel" => "arm",
        "i386" or "i686" => "386",
        var other => other,
    };

    private static string NormalizeVariant(string architecture, string? variant) => (architecture, variant?.ToLowerInvariant()) switch
    {
        ("arm64", null or "" or "8" or "v8") => "v8",
        ("arm", null or "") => "v7",
        ("arm", { } v) when !v.StartsWith('v') => "v" + v,
        ("amd64", null or "" or "v1") => "",
        (_, var v) => v ?? "",
    };
}

internal static class ManifestJson
{
    public static T Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"the {what} is JSON null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the {what} is not valid JSON: {e.Message}", e);
        }
    }
}
