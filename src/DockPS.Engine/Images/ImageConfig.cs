using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockPS.Engine.Images;

/// <summary>
/// The OCI image configuration (image-spec config.md), also what Docker writes. Pulled configs
/// are stored byte for byte (the image ID is their digest); this model reads them and writes the
/// configs DockPS creates.
/// </summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; init; } = "linux";
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("config")] public ContainerDefaults Config { get; init; } = new();
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; init; } = new();
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    /// <summary>Reads a config blob.</summary>
    /// <exception cref="InvalidDataException">Not a JSON image configuration.</exception>
    public static ImageConfig Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var config = JsonSerializer.Deserialize(json, ImageJsonContext.Default.ImageConfig)
                ?? throw new InvalidDataException("image configuration is null");
            if (config.RootFs.Type != "layers") { throw new InvalidDataException($"image configuration has rootfs type \"{config.RootFs.Type}\", expected \"layers\""); }
            return config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"image configuration is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The canonical bytes of this configuration (its digest is the image ID).</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ImageJsonContext.Default.ImageConfig);
}

/// <summary>The defaults a container made from the image starts with.</summary>
public sealed record ContainerDefaults
{
    public string? User { get; init; }
    public IReadOnlyDictionary<string, EmptyObject>? ExposedPorts { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyDictionary<string, EmptyObject>? Volumes { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public string? StopSignal { get; init; }
    public IReadOnlyList<string>? OnBuild { get; init; }
    public bool? ArgsEscaped { get; init; }
}

/// <summary>The <c>{}</c> value of port and volume sets.</summary>
public sealed record EmptyObject;

/// <summary>The layers of the image's root filesystem, by uncompressed digest (DiffID).</summary>
public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public IReadOnlyList<string> DiffIds { get; init; } = [];
}

/// <summary>One step of how the image was made.</summary>
public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}

/// <summary>Compile-time JSON metadata for image documents (the daemon is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageConfig))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
