namespace DockPS.Engine.Layers;

/// <summary>
/// A layer that cannot be accepted: corrupt or truncated compression, a malformed tar, or an entry
/// that is hostile (escapes the snapshot, writes through a symlink, is a device). The message names
/// the entry when one is to blame. A <see cref="FormatException"/> (InvalidDataException is sealed), so
/// callers can tell bad content from the <see cref="IOException"/>s of a failing disk.
/// </summary>
public sealed class LayerException : FormatException
{
    /// <summary>A layer-wide failure (compression, tar framing).</summary>
    public LayerException(string message) : base(message) { }

    /// <summary>A layer-wide failure caused by another exception.</summary>
    public LayerException(string message, Exception inner) : base(message, inner) { }

    private LayerException(string message, string entryName) : base(message) => EntryName = entryName;

    /// <summary>The tar entry name to blame, as it appears in the layer; null for layer-wide failures.</summary>
    public string? EntryName { get; }

    /// <summary>A failure caused by one entry, named in the message.</summary>
    public static LayerException ForEntry(string entryName, string reason) =>
        new($"layer entry '{entryName}': {reason}", entryName);
}

/// <summary>How a layer blob is compressed, as told by its first bytes.</summary>
public enum CompressionKind
{
    /// <summary>A plain tar.</summary>
    None,
    /// <summary>gzip (RFC 1952), possibly several members.</summary>
    Gzip,
    /// <summary>Zstandard.</summary>
    Zstd,
}

/// <summary>What unpacking a layer produced.</summary>
/// <param name="Digest">"sha256:&lt;hex&gt;" of the bytes as read (the blob digest a manifest names).</param>
/// <param name="DiffId">"sha256:&lt;hex&gt;" of the uncompressed tar (the diff ID an image config names).</param>
/// <param name="Size">Bytes of regular-file content written.</param>
/// <param name="EntryCount">Tar entries read (whiteouts included; PAX and GNU extension headers are part of their entry).</param>
/// <param name="Compression">The compression the blob turned out to have.</param>
public sealed record UnpackResult(string Digest, string DiffId, long Size, int EntryCount, CompressionKind Compression);

/// <summary>What packing a directory into a layer tar produced.</summary>
/// <param name="DiffId">"sha256:&lt;hex&gt;" of the tar written.</param>
/// <param name="Size">Bytes of regular-file content packed.</param>
/// <param name="EntryCount">Tar entries written, whiteouts included.</param>
public sealed record PackResult(string DiffId, long Size, int EntryCount);
