using DockPS.Engine.Native;

namespace DockPS.Engine.Volumes;

/// <summary>
/// Copies a directory tree as <c>tar</c> would carry it: regular files, directories, symlinks
/// (never followed), hard links (kept as links), FIFOs and device nodes, each with its owner,
/// permission bits (setuid, setgid, sticky included), extended attributes and modification time.
/// Sockets are skipped, as tar skips them. This is how a volume is filled from an image directory.
/// </summary>
internal static class TreeCopy
{
    /// <summary>Copies what is inside <paramref name="source"/> into the existing directory <paramref name="target"/>.</summary>
    public static void CopyContents(string source, string target, CancellationToken cancellationToken)
    {
        var hardLinks = new Dictionary<(uint Major, uint Minor, ulong Inode), string>();
        // Directories get their owner, mode and time after their children are written, because
        // writing a child changes the directory's time and a read-only mode would stop the writes.
        var directories = new List<(string From, string To, FileStatus Status)>();
        var pending = new Stack<(string From, string To)>();
        Push(pending, source, target);
        while (pending.TryPop(out var item))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = Posix.LStat(item.From);
            switch (status.Type)
            {
                case FileStatus.Directory:
                    Posix.MakeDirectory(item.To, 0b111_000_000);
                    directories.Add((item.From, item.To, status));
                    Push(pending, item.From, item.To);
                    break;
                case FileStatus.Regular:
                    var key = (status.DeviceMajor, status.DeviceMinor, status.Inode);
                    if (status.LinkCount > 1 && hardLinks.TryGetValue(key, out var first))
                    {
                        Posix.Link(first, item.To);
                        break;
                    }
                    CopyFile(item.From, item.To, status);
                    if (status.LinkCount > 1) { hardLinks[key] = item.To; }
                    break;
                case FileStatus.Symlink:
                    Posix.Symlink(Posix.ReadLink(item.From), item.To);
                    Posix.LChown(item.To, status.Uid, status.Gid);
                    Posix.LSetTimes(item.To, status.ModifiedSeconds, status.ModifiedNanoseconds);
                    break;
                case FileStatus.Fifo or FileStatus.CharDevice or FileStatus.BlockDevice:
                    // An overlayfs whiteout (0/0) is bookkeeping of a layer, never content of a view.
                    if (status.IsWhiteout) { break; }
                    Posix.MakeNode(item.To, status.Type | status.Permissions, status.RdevMajor, status.RdevMinor);
                    Finish(item.From, item.To, status);
                    break;
            }
        }
        for (var i = directories.Count - 1; i >= 0; i--) { Finish(directories[i].From, directories[i].To, directories[i].Status); }
    }

    /// <summary>Gives <paramref name="target"/> the owner and permission bits of <paramref name="source"/> (a volume's root takes the image directory's).</summary>
    public static void CopyOwnerAndMode(string source, string target)
    {
        var status = Posix.LStat(source);
        Posix.LChown(target, status.Uid, status.Gid);
        Posix.Chmod(target, status.Permissions);
    }

    private static void Push(Stack<(string, string)> pending, string from, string to)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(from))
        {
            pending.Push((child, Path.Combine(to, Path.GetFileName(child))));
        }
    }

    private static void CopyFile(string from, string to, FileStatus status)
    {
        using (var source = Posix.OpenReadNoFollow(from))
        using (var target = Posix.CreateExclusive(to, 0b110_000_000))
        {
            using (var input = new FileStream(source, FileAccess.Read, 0))
            using (var output = new FileStream(target, FileAccess.Write, 0))
            {
                input.CopyTo(output, 1 << 20);
            }
        }
        Finish(from, to, status);
    }

    // chown clears setuid/setgid and file capabilities (security.capability), so it goes first,
    // then the mode and the attributes; the time goes last because every other change touches it.
    private static void Finish(string from, string to, FileStatus status)
    {
        Posix.LChown(to, status.Uid, status.Gid);
        Posix.Chmod(to, status.Permissions);
        CopyXattrs(from, to);
        Posix.LSetTimes(to, status.ModifiedSeconds, status.ModifiedNanoseconds);
    }

    private static void CopyXattrs(string from, string to)
    {
        foreach (var name in Posix.LListXattr(from))
        {
            // overlayfs bookkeeping describes a layer on this host, not the file.
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal)) { continue; }
            if (Posix.LGetXattr(from, name) is not { } value) { continue; }
            try { Posix.LSetXattr(to, name, value); }
            catch (PosixException e) when (e.Errno == Errno.EOPNOTSUPP)
            {
                // The volume's filesystem (a tmpfs without user xattrs, say) cannot hold it; tar drops it too.
            }
        }
    }
}
