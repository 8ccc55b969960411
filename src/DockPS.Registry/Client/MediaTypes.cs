namespace DockPS.Registry.Client;

/// <summary>How a layer blob is compressed, as its media type says.</summary>
public enum LayerCompression
{
    /// <summary>A plain tar stream.</summary>
    None,
    /// <summary>A gzip-compressed tar stream.</summary>
    Gzip,
    /// <summary>A zstd-compressed tar stream.</summary>
    Zstd,
}

/// <summary>
/// The media types of OCI and Docker image documents and blobs, in one place, with the questions
/// the engine asks of them. Docker schema 1 (<c>...manifest.v1+prettyjws</c>) is deliberately absent:
/// it is deprecated, unsigned copies are unverifiable, and current registries no longer serve it.
/// </summary>
public static class MediaTypes
{
    /// <summary>OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    /// <summary>OCI image index (multi-platform).</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    /// <summary>OCI image configuration.</summary>
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    /// <summary>OCI uncompressed tar layer.</summary>
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    /// <summary>OCI gzip-compressed tar layer.</summary>
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// <summary>OCI zstd-compressed tar layer.</summary>
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// <summary>OCI non-distributable uncompressed layer (deprecated by the image spec, still read).</summary>
    public const string OciLayerNonDistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    /// <summary>OCI non-distributable gzip layer (deprecated by the image spec, still read).</summary>
    public const string OciLayerNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    /// <summary>OCI non-distributable zstd layer (deprecated by the image spec, still read).</summary>
    public const string OciLayerNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /// <summary>The OCI empty descriptor's media type (<c>{}</c>), used by artifacts.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>Docker image manifest, schema 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    /// <summary>Docker manifest list (multi-platform), schema 2.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// <summary>Docker image configuration.</summary>
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    /// <summary>Docker gzip-compressed layer ("rootfs diff").</summary>
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /// <summary>Docker uncompressed layer; written by few tools but accepted by the Docker engine.</summary>
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    /// <summary>Docker foreign (non-distributable) gzip layer, fetched from its descriptor's URLs.</summary>
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>
    /// What to send as <c>Accept</c> when fetching a manifest: every manifest and index type the
    /// engine reads. A registry that holds an index answers with the index, and the caller picks a
    /// platform from it.
    /// </summary>
    public static IReadOnlyList<string> AllManifests { get; } =
        [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    /// <summary>True for single-image manifests (OCI or Docker schema 2).</summary>
    public static bool IsManifest(string? mediaType) =>
        Is(mediaType, OciManifest) || Is(mediaType, DockerManifest);

    /// <summary>True for multi-platform indexes (OCI index or Docker manifest list).</summary>
    public static bool IsIndex(string? mediaType) =>
        Is(mediaType, OciIndex) || Is(mediaType, DockerManifestList);

    /// <summary>True for image configuration blobs (OCI or Docker).</summary>
    public static bool IsConfig(string? mediaType) =>
        Is(mediaType, OciConfig) || Is(mediaType, DockerConfig);

    /// <summary>True for every layer media type listed here.</summary>
    public static bool IsLayer(string? mediaType) => TryGetLayerCompression(mediaType, out _);

    /// <summary>
    /// The compression a layer media type declares; false for anything that is not a known layer
    /// type, so an unknown type is rejected rather than guessed at.
    /// </summary>
    public static bool TryGetLayerCompression(string? mediaType, out LayerCompression compression)
    {
        compression = Normalize(mediaType) switch
        {
            OciLayer or OciLayerNonDistributable or DockerLayer => LayerCompression.None,
            OciLayerGzip or OciLayerNonDistributableGzip or DockerLayerGzip or DockerForeignLayerGzip => LayerCompression.Gzip,
            OciLayerZstd or OciLayerNonDistributableZstd => LayerCompression.Zstd,
            _ => (LayerCompression)(-1),
        };
        return compression >= 0;
    }

    /// <summary>
    /// A Content-Type value without parameters (<c>; charset=utf-8</c>) or surrounding blanks, which
    /// registries sometimes add; null stays null.
    /// </summary>
    public static string? Normalize(string? contentType)
    {
        if (contentType is null) { return null; }
        var semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    private static bool Is(string? mediaType, string expected) => Normalize(mediaType) == expected;
}
