using DockPS.Engine.Native;

namespace DockPS.Engine.Layers;

/// <summary>
/// Packs a directory (a container's overlayfs upper directory, or an unpacked snapshot) into an
/// uncompressed OCI layer tar, translating overlayfs whiteouts back into OCI ones. The inverse of
/// <see cref="LayerUnpacker"/>: unpacking the result gives the same tree.
/// </summary>
public static class LayerPacker
{
    /// <summary>
    /// Writes <paramref name="directory"/>'s content as a layer tar to <paramref name="output"/>:
    /// names sorted, parents before children, so the same tree always gives the same diff ID.
    /// Owners, modes, xattrs (except overlayfs's own), symlinks and hard links (one inode, one
    /// file; the other names as links) are kept; times are kept to the second, as Docker does.
    /// A 0/0 character device becomes <c>.wh.name</c>, an opaque directory gets <c>.wh..wh..opq</c>.
    /// Sockets are left out (they are not content); other devices are refused.
    /// </summary>
    /// <exception cref="LayerException">The directory holds a device file, which no layer may carry.</exception>
    public static async Task<PackResult> PackAsync(string directory, Stream output, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(output);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!Posix.TryLStat(root, out var rootStatus) || !rootStatus.IsDirectory)
        {
            throw new DirectoryNotFoundException($"'{root}' is not an existing directory");
        }

        using var writer = new TarStreamWriter(output);
        var header = new TarHeader();
        var firstNames = new Dictionary<(uint, uint, ulong), string>();
        long size = 0;
        var count = 0;
        if (IsOpaque(root)) { count += await WriteMarkerAsync(writer, header, "", LayerPaths.OpaqueMarker, rootStatus, cancellationToken).ConfigureAwait(false); }

        var pending = new Stack<(string Full, string Relative)>();
        PushChildren(pending, root, "");
        while (pending.TryPop(out var item))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (full, relative) = item;
            var status = Posix.LStat(full);
            if (status.IsWhiteout)
            {
                var name = string.Concat(LayerPaths.WhiteoutPrefix, LayerPaths.BaseName(relative));
                count += await WriteMarkerAsync(writer, header, LayerPaths.DirectoryName(relative).ToString(), name, status, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var key = (status.DeviceMajor, status.DeviceMinor, status.Inode);
            if (!status.IsDirectory && status.LinkCount > 1 && firstNames.TryGetValue(key, out var first))
            {
                Describe(header, relative, status, full, withXattrs: false);
                header.Size = 0;
                header.LinkName = first;
                await writer.WriteHeaderAsync(header, (byte)'1', cancellationToken).ConfigureAwait(false);
                count++;
                continue;
            }
            if (!status.IsDirectory && status.LinkCount > 1) { firstNames[key] = relative; }

            switch (status.Type)
            {
                case FileStatus.Directory:
                    Describe(header, relative + "/", status, full, withXattrs: true);
                    await writer.WriteHeaderAsync(header, (byte)'5', cancellationToken).ConfigureAwait(false);
                    count++;
                    if (IsOpaque(full)) { count += await WriteMarkerAsync(writer, header, relative, LayerPaths.OpaqueMarker, status, cancellationToken).ConfigureAwait(false); }
                    PushChildren(pending, full, relative);
                    break;
                case FileStatus.Regular:
                    Describe(header, relative, status, full, withXattrs: true);
                    header.Size = (long)status.Size;
                    await writer.WriteHeaderAsync(header, (byte)'0', cancellationToken).ConfigureAwait(false);
                    await CopyFileAsync(writer, full, header.Size, cancellationToken).ConfigureAwait(false);
                    size += header.Size;
                    count++;
                    break;
                case FileStatus.Symlink:
                    Describe(header, relative, status, full, withXattrs: true);
                    header.LinkName = Posix.ReadLink(full);
                    await writer.WriteHeaderAsync(header, (byte)'2', cancellationToken).ConfigureAwait(false);
                    count++;
                    break;
                case FileStatus.Fifo:
                    Describe(header, relative, status, full, withXattrs: true);
                    await writer.WriteHeaderAsync(header, (byte)'6', cancellationToken).ConfigureAwait(false);
                    count++;
                    break;
                case FileStatus.Socket:
                    break;
                default:
                    throw LayerException.ForEntry(relative, "is a device file; layers may not contain devices");
            }
        }
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        return new PackResult(writer.DiffId, size, count);
    }

    /// <summary>Queues a directory's children so that they pop in ordinal name order.</summary>
    private static void PushChildren(Stack<(string, string)> pending, string full, string relative)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(full)) { names.Add(Path.GetFileName(path)); }
        names.Sort(StringComparer.Ordinal);
        for (var i = names.Count - 1; i >= 0; i--)
        {
            pending.Push((full + "/" + names[i], relative.Length == 0 ? names[i] : relative + "/" + names[i]));
        }
    }

    /// <summary>Fills the reusable header from lstat data (times to the second, links and size cleared).</summary>
    private static void Describe(TarHeader header, string name, FileStatus status, string full, bool withXattrs)
    {
        header.Name = name;
        header.LinkName = "";
        header.Mode = status.Permissions;
        header.Uid = status.Uid;
        header.Gid = status.Gid;
        header.Size = 0;
        header.ModifiedSeconds = status.ModifiedSeconds;
        header.ModifiedNanoseconds = 0;
        header.Xattrs.Clear();
        if (!withXattrs) { return; }
        var names = Posix.LListXattr(full);
        Array.Sort(names, StringComparer.Ordinal);
        foreach (var xattr in names)
        {
            // overlayfs bookkeeping (opaque, origin, impure, redirect) describes this host's mount, not content.
            if (xattr.StartsWith(LayerPaths.OverlayXattrPrefix, StringComparison.Ordinal)) { continue; }
            if (Posix.LGetXattr(full, xattr) is { } value) { header.Xattrs.Add(new(xattr, value)); }
        }
    }

    /// <summary>An empty regular file named as an OCI whiteout or opaque marker, owned and timed like what it stands for.</summary>
    private static async ValueTask<int> WriteMarkerAsync(TarStreamWriter writer, TarHeader header, string directory, string name, FileStatus status, CancellationToken cancellationToken)
    {
        Describe(header, directory.Length == 0 ? name : directory + "/" + name, status, "", withXattrs: false);
        await writer.WriteHeaderAsync(header, (byte)'0', cancellationToken).ConfigureAwait(false);
        return 1;
    }

    private static bool IsOpaque(string directory) =>
        Posix.LGetXattr(directory, LayerPaths.OpaqueXattr) is [(byte)'y'];

    private static async ValueTask CopyFileAsync(TarStreamWriter writer, string full, long length, CancellationToken cancellationToken)
    {
        using var file = Posix.OpenReadNoFollow(full);
        var remaining = length;
        while (remaining > 0)
        {
            var buffer = await writer.GetDataBufferAsync(cancellationToken).ConfigureAwait(false);
            var read = Posix.Read(file, buffer.Span[..(int)Math.Min(buffer.Length, remaining)], full);
            if (read == 0) { throw new IOException($"'{full}' shrank while it was being packed"); }
            writer.Advance(read);
            remaining -= read;
        }
        await writer.PadAsync(length, cancellationToken).ConfigureAwait(false);
    }
}
