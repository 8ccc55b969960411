using System.Security.Cryptography;
using DockPS.Engine.Native;

namespace DockPS.Engine.Layers;

/// <summary>
/// Unpacks OCI and Docker image layers into snapshot directories, translating OCI whiteouts into
/// the overlayfs ones containers stack on, and refusing hostile content.
/// </summary>
public static class LayerUnpacker
{
    /// <summary>
    /// Unpacks one layer (plain, gzip or zstd tar, read once, forward only) into
    /// <paramref name="targetDirectory"/>, an existing empty directory. Ownership, modes (setuid,
    /// sticky), times, symlinks, hard links and xattrs are kept; <c>.wh.name</c> becomes a 0/0
    /// character device and <c>.wh..wh..opq</c> the <c>trusted.overlay.opaque=y</c> xattr.
    /// Memory stays bounded whatever the layer's size.
    /// </summary>
    /// <returns>The blob digest (of the bytes as read) and diff ID (of the tar), so the caller can verify both in this one pass.</returns>
    /// <exception cref="LayerException">
    /// Corrupt or truncated compression or tar, or a hostile entry: a name or hard link leaving the
    /// root, a write through a symlink, a device, an unknown entry type. Nothing is ever written
    /// outside <paramref name="targetDirectory"/>, but on this or any other failure it holds a
    /// partial layer: the caller deletes it.
    /// </exception>
    public static Task<UnpackResult> UnpackAsync(Stream layer, string targetDirectory, CancellationToken cancellationToken) =>
        UnpackAsync(layer, targetDirectory, verifiedBlobDigest: null, cancellationToken);

    /// <summary>
    /// Unpacks as <see cref="UnpackAsync(Stream, string, CancellationToken)"/> does, for a blob the
    /// caller verifies itself against <paramref name="verifiedBlobDigest"/> (a download hashed as it
    /// is stored, or a plain tar whose digest is its diff ID): the blob is not hashed as it is read;
    /// the tar is, on the thread that parses it, for the diff ID.
    /// </summary>
    public static async Task<UnpackResult> UnpackAsync(Stream layer, string targetDirectory, string? verifiedBlobDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        if (!Posix.TryLStat(root, out var rootStatus) || !rootStatus.IsDirectory)
        {
            throw new DirectoryNotFoundException($"layer target '{root}' is not an existing directory");
        }

        await using var blob = new DigestingStream(layer, hashing: verifiedBlobDigest is null);
        var opened = await LayerCompression.OpenAsync(blob, cancellationToken).ConfigureAwait(false);
        await using var content = opened.Content;
        await using var readAhead = new ReadAheadStream(content);
        // A plain tar is its own blob: one hash serves as both digest and diff ID. A verified blob
        // is not hashed as it is read, so its tar is, on the parsing thread.
        using var tarHash = opened.Compression == CompressionKind.None && verifiedBlobDigest is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new TarStreamReader(readAhead, tarHash);
        var target = new UnpackTarget(root);
        long size = 0;
        var count = 0;
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            count++;
            try { size += await ApplyAsync(reader, target, cancellationToken).ConfigureAwait(false); }
            catch (PosixException e) when (e.Errno == Errno.ENAMETOOLONG)
            {
                throw LayerException.ForEntry(reader.Current.Name, "name or link target is longer than Linux allows");
            }
        }
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
        if (opened.Compression != CompressionKind.None
            && await blob.DrainAsync(new byte[16 * 1024], cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new LayerException($"corrupt {opened.Compression.ToString().ToLowerInvariant()} stream: unexpected data after the compressed data");
        }
        target.Finish();
        var digest = verifiedBlobDigest ?? blob.Digest!;
        return new UnpackResult(digest, tarHash is null ? digest : OciDigest.Format(tarHash), size, count, opened.Compression);
    }

    /// <summary>Applies the reader's current entry; returns the file bytes written.</summary>
    private static async ValueTask<long> ApplyAsync(TarStreamReader reader, UnpackTarget target, CancellationToken cancellationToken)
    {
        var entry = reader.Current;
        var relative = LayerPaths.Clean(entry.Name)
            ?? throw LayerException.ForEntry(entry.Name, "escapes the layer root");
        var baseName = LayerPaths.BaseName(relative);
        if (baseName.StartsWith(LayerPaths.WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(entry, relative, baseName, target);
            return 0;
        }
        // Inside AUFS bookkeeping directories such as .wh..wh.plnk: Docker skips these too.
        if (relative.StartsWith(LayerPaths.MetaPrefix, StringComparison.Ordinal)) { return 0; }
        if (relative.Length == 0)
        {
            // The snapshot root belongs to the store; Docker ignores a layer's "./" entry too.
            return entry.Kind == TarEntryKind.Directory ? 0 : throw LayerException.ForEntry(entry.Name, "replaces the layer root");
        }
        switch (entry.Kind)
        {
            case TarEntryKind.Regular:
                return await WriteFileAsync(reader, target, relative, cancellationToken).ConfigureAwait(false);
            case TarEntryKind.Directory:
                target.Directory(entry, relative);
                break;
            case TarEntryKind.Symlink:
                target.Symlink(entry, relative);
                break;
            case TarEntryKind.HardLink:
                target.HardLink(entry, relative);
                break;
            case TarEntryKind.Fifo:
                target.Fifo(entry, relative);
                break;
            default:
                throw LayerException.ForEntry(entry.Name, "device files are not allowed in layers");
        }
        return 0;
    }

    private static void ApplyWhiteout(TarHeader entry, string relative, ReadOnlySpan<char> baseName, UnpackTarget target)
    {
        var directory = LayerPaths.DirectoryName(relative);
        if (baseName is LayerPaths.OpaqueMarker)
        {
            target.Opaque(entry.Name, directory);
            return;
        }
        // Other ".wh..wh." names are AUFS bookkeeping, not content.
        if (baseName.StartsWith(LayerPaths.MetaPrefix, StringComparison.Ordinal)) { return; }
        var hidden = baseName[LayerPaths.WhiteoutPrefix.Length..];
        if (hidden.IsEmpty || hidden is "." or "..")
        {
            throw LayerException.ForEntry(entry.Name, "whiteout names no file");
        }
        target.Whiteout(entry, directory, hidden);
    }

    private static async ValueTask<long> WriteFileAsync(TarStreamReader reader, UnpackTarget target, string relative, CancellationToken cancellationToken)
    {
        var entry = reader.Current;
        long written = 0;
        using var file = target.CreateFile(entry, relative, out var full);
        ReadOnlyMemory<byte> chunk;
        while (!(chunk = await reader.ReadDataAsync(cancellationToken).ConfigureAwait(false)).IsEmpty)
        {
            Posix.WriteAll(file, chunk.Span, full);
            written += chunk.Length;
        }
        UnpackTarget.ApplyMetadata(full, entry, isSymlink: false, setTimes: true, file);
        return written;
    }
}
