namespace DockPS.Engine.Images;

/// <summary>An image the engine holds: its configuration, layers, names and manifest.</summary>
public sealed record ImageRecord
{
    /// <summary>The image ID: the digest of its configuration blob.</summary>
    public required Digest Id { get; init; }

    /// <summary>The parsed configuration.</summary>
    public required ImageConfig Config { get; init; }

    /// <summary>The configuration bytes, verbatim.</summary>
    public required byte[] ConfigBytes { get; init; }

    /// <summary>Names of the form <c>name:tag</c>.</summary>
    public IReadOnlyList<string> RepoTags { get; init; } = [];

    /// <summary>Names of the form <c>name@sha256:…</c> (the manifest digest in a registry).</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>The image's layers, bottom first.</summary>
    public IReadOnlyList<LayerRecord> Layers { get; init; } = [];

    /// <summary>Unpacked size of all layers in bytes.</summary>
    public long Size { get; init; }

    /// <summary>When the engine stored the image.</summary>
    public DateTimeOffset Stored { get; init; }

    /// <summary>The manifest that describes the image (pulled or made locally).</summary>
    public Digest? ManifestDigest { get; init; }

    /// <summary>The manifest's media type.</summary>
    public string? ManifestMediaType { get; init; }

    /// <summary>When the image was created (its configuration's date, else when it was stored).</summary>
    public DateTimeOffset Created => Config.Created ?? Stored;

    /// <summary>True when no name refers to the image.</summary>
    public bool Dangling => RepoTags.Count == 0 && RepoDigests.Count == 0;
}

/// <summary>One unpacked layer.</summary>
/// <param name="ChainId">Identity of the layer on top of its parents (the snapshot's name).</param>
/// <param name="DiffId">Digest of the layer's uncompressed tar.</param>
/// <param name="Parent">The chain ID below, or null for a base layer.</param>
/// <param name="Size">Bytes of file content.</param>
public sealed record LayerRecord(Digest ChainId, Digest DiffId, Digest? Parent, long Size)
{
    /// <summary>The chain ID of <paramref name="diffId"/> stacked on <paramref name="parent"/> (image-spec config.md).</summary>
    public static Digest ChainOf(Digest? parent, Digest diffId) =>
        parent is { } p ? Digest.Of(System.Text.Encoding.ASCII.GetBytes($"{p} {diffId}")) : diffId;
}

/// <summary>A packed (tar, gzip or zstd) form of a layer, kept in the content store for save and push.</summary>
public sealed record LayerBlob(Digest Digest, string MediaType, long Size);
