namespace DockPS.Types;

/// <summary>A repository in a registry's catalog (Get-RegistryRepository).</summary>
/// <param name="Registry">The registry, host[:port]; binds to -Registry of Get-RegistryTag by property name.</param>
/// <param name="Repository">The repository path inside the registry (team/app); binds to -Repository of Get-RegistryTag.</param>
public sealed record RegistryRepository(string Registry, string Repository)
{
    /// <summary>The full name, registry/repository, as an image reference starts.</summary>
    public string Name => Registry + "/" + Repository;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A tag of a repository in a registry (Get-RegistryTag).</summary>
/// <param name="Registry">The registry, host[:port].</param>
/// <param name="Repository">The repository path inside the registry.</param>
/// <param name="Tag">The tag.</param>
public sealed record RegistryTag(string Registry, string Repository, string Tag)
{
    /// <summary>registry/repository:tag; binds to -Reference of Get-RegistryManifest and Remove-RegistryManifest by property name.</summary>
    public string Reference => $"{Registry}/{Repository}:{Tag}";

    /// <inheritdoc/>
    public override string ToString() => Reference;
}

/// <summary>What a manifest in a registry describes.</summary>
public enum RegistryManifestKind
{
    /// <summary>One image (or artifact): a config blob and layers (OCI image manifest, Docker schema 2 manifest).</summary>
    Image,

    /// <summary>Several manifests, usually one per platform (OCI image index, Docker manifest list).</summary>
    Index,
}

/// <summary>
/// A manifest as a registry serves it (Get-RegistryManifest): its identity, and for an image its
/// config and layers, for an index the manifests it lists.
/// </summary>
public sealed class RegistryManifest
{
    /// <summary>The registry, host[:port].</summary>
    public string Registry { get; init; } = "";

    /// <summary>The repository path inside the registry.</summary>
    public string Repository { get; init; } = "";

    /// <summary>The tag it was asked for by, or null when asked for by digest.</summary>
    public string? Tag { get; init; }

    /// <summary>The manifest's digest (sha256:…), verified against its bytes.</summary>
    public string Digest { get; init; } = "";

    /// <summary>registry/repository@digest: this exact manifest, whatever its tags point to later; binds to -Reference of Remove-RegistryManifest by property name.</summary>
    public string Reference => $"{Registry}/{Repository}@{Digest}";

    /// <summary>The media type the registry served it with (or, when it sent none, the one the manifest states).</summary>
    public string MediaType { get; init; } = "";

    /// <summary>Image or Index.</summary>
    public RegistryManifestKind Kind { get; init; }

    /// <summary>The size of the manifest itself in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The artifact type, for artifacts; null for images.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The image configuration blob; null for an index.</summary>
    public RegistryDescriptor? Config { get; init; }

    /// <summary>The layers, base first; empty for an index.</summary>
    public RegistryDescriptor[] Layers { get; init; } = [];

    /// <summary>The manifests an index lists, with their platforms; empty for an image.</summary>
    public RegistryDescriptor[] Manifests { get; init; } = [];

    /// <summary>
    /// For an image, the bytes a pull downloads: config plus layers (compressed, as stored). Null
    /// for an index, whose size depends on the platform pulled.
    /// </summary>
    public long? TotalSize { get; init; }

    /// <summary>The manifest's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Tag is null ? Reference : $"{Registry}/{Repository}:{Tag}";
}

/// <summary>A blob or manifest a manifest refers to: a layer, the config, or an index entry.</summary>
public sealed class RegistryDescriptor
{
    /// <summary>Its digest (sha256:…).</summary>
    public string Digest { get; init; } = "";

    /// <summary>Its media type.</summary>
    public string MediaType { get; init; } = "";

    /// <summary>Its size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>os/architecture[/variant] of an index entry (linux/arm64/v8); null for layers, the config, and entries without a platform.</summary>
    public string? Platform { get; init; }

    /// <summary>The artifact type of an index entry, for artifacts.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>The descriptor's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Platform is null ? Digest : $"{Digest} ({Platform})";
}
