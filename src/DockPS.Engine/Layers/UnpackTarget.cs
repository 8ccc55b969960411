using DockPS.Engine.Native;
using Microsoft.Win32.SafeHandles;

namespace DockPS.Engine.Layers;

/// <summary>
/// The snapshot directory a layer is unpacked into: creates entries by their cleaned relative
/// paths and guarantees none is written through a symlink. Every directory it made or checked is
/// remembered, so the common case (parent already known) costs no system call; only a new
/// directory is looked at with lstat, and a symlink found there is refused, never followed.
/// Nothing else writes into the directory meanwhile, so what was checked stays true.
/// </summary>
internal sealed class UnpackTarget
{
    private readonly string _root;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "" };
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _known;
    private readonly Dictionary<string, (long Seconds, uint Nanoseconds)> _directoryTimes = new(StringComparer.Ordinal);

    public UnpackTarget(string root)
    {
        _root = root;
        _known = _directories.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string FullPath(ReadOnlySpan<char> relative) => relative.IsEmpty ? _root : string.Concat(_root, "/", relative);

    /// <summary>A directory entry: made (replacing whatever else is there) or, if already a directory, given the entry's metadata.</summary>
    public void Directory(TarHeader entry, string relative)
    {
        var full = FullPath(relative);
        if (!_known.Contains(relative))
        {
            EnsureDirectory(entry.Name, LayerPaths.DirectoryName(relative));
            MakeDirectory(full);
            _directories.Add(relative);
        }
        ApplyMetadata(full, entry, isSymlink: false, setTimes: false);
        // Creating children changes a directory's mtime, so directory times are set last.
        _directoryTimes[relative] = (entry.ModifiedSeconds, entry.ModifiedNanoseconds);
    }

    /// <summary>A new, empty regular file opened for writing (replacing whatever is at the path).</summary>
    public SafeFileHandle CreateFile(TarHeader entry, string relative, out string full)
    {
        EnsureDirectory(entry.Name, LayerPaths.DirectoryName(relative));
        full = FullPath(relative);
        return Replacing(relative, full, 0u, static (path, _) => Posix.CreateExclusive(path, 0x180 /* 0600 */));
    }

    /// <summary>A symlink holding the entry's link name verbatim; absolute targets are normal in a root filesystem.</summary>
    public void Symlink(TarHeader entry, string relative)
    {
        if (entry.LinkName.Length == 0) { throw LayerException.ForEntry(entry.Name, "symlink has an empty target"); }
        EnsureDirectory(entry.Name, LayerPaths.DirectoryName(relative));
        var full = FullPath(relative);
        Replacing(relative, full, entry.LinkName, static (path, target) => { Posix.Symlink(target, path); return true; });
        ApplyMetadata(full, entry, isSymlink: true, setTimes: true);
    }

    /// <summary>A hard link to an earlier entry of this layer, which must not be a directory or device.</summary>
    public void HardLink(TarHeader entry, string relative)
    {
        var target = LayerPaths.Clean(entry.LinkName);
        if (target is null) { throw LayerException.ForEntry(entry.Name, $"hard link target '{entry.LinkName}' escapes the layer root"); }
        // GNU tar skips a link to itself; replacing the file with a link to itself would lose it.
        if (target == relative) { return; }
        if (target.Length == 0 || !_known.Contains(LayerPaths.DirectoryName(target))
            || !Posix.TryLStat(FullPath(target), out var status))
        {
            throw LayerException.ForEntry(entry.Name, $"hard link target '{entry.LinkName}' does not exist in this layer");
        }
        if (status.IsDirectory || status.Type is FileStatus.CharDevice or FileStatus.BlockDevice)
        {
            throw LayerException.ForEntry(entry.Name, $"hard link target '{entry.LinkName}' is a directory or device");
        }
        EnsureDirectory(entry.Name, LayerPaths.DirectoryName(relative));
        Replacing(relative, FullPath(relative), FullPath(target), static (path, existing) => { Posix.Link(existing, path); return true; });
    }

    /// <summary>A FIFO (named pipe).</summary>
    public void Fifo(TarHeader entry, string relative)
    {
        EnsureDirectory(entry.Name, LayerPaths.DirectoryName(relative));
        var full = FullPath(relative);
        Replacing(relative, full, 0u, static (path, _) => { Posix.MakeNode(path, FileStatus.Fifo | 0x180, 0, 0); return true; });
        ApplyMetadata(full, entry, isSymlink: false, setTimes: true);
    }

    /// <summary>
    /// An OCI whiteout as overlayfs spells it: a 0/0 character device (mode 0, as the kernel makes
    /// them) with the entry's owner and time, so packing it again gives the same entry. If this
    /// layer already has an entry there, the entry stays: a whiteout only hides lower layers' files.
    /// </summary>
    public void Whiteout(TarHeader entry, ReadOnlySpan<char> directory, ReadOnlySpan<char> hidden)
    {
        EnsureDirectory(entry.Name, directory);
        var full = FullPath(directory.IsEmpty ? hidden : string.Concat(directory, "/", hidden));
        try { Posix.MakeNode(full, FileStatus.CharDevice, 0, 0); }
        catch (PosixException e) when (e.Errno == Errno.EEXIST) { return; }
        CheckOwner(entry);
        Posix.LChown(full, (uint)entry.Uid, (uint)entry.Gid);
        Posix.LSetTimes(full, entry.ModifiedSeconds, entry.ModifiedNanoseconds);
    }

    /// <summary>An OCI opaque marker: overlayfs's opaque xattr on the directory.</summary>
    public void Opaque(string entryName, ReadOnlySpan<char> directory)
    {
        EnsureDirectory(entryName, directory);
        Posix.LSetXattr(FullPath(directory), LayerPaths.OpaqueXattr, "y"u8);
    }

    /// <summary>
    /// Owner, mode, xattrs and (unless deferred) times, in the order that keeps each: chown clears
    /// setuid bits and capabilities. Through <paramref name="file"/> when open (no path lookups).
    /// </summary>
    public static void ApplyMetadata(string full, TarHeader entry, bool isSymlink, bool setTimes, SafeFileHandle? file = null)
    {
        CheckOwner(entry);
        if (file is null) { Posix.LChown(full, (uint)entry.Uid, (uint)entry.Gid); }
        else { Posix.FChown(file, (uint)entry.Uid, (uint)entry.Gid, full); }
        if (file is not null) { Posix.FChmod(file, entry.Mode, full); }
        else if (!isSymlink) { Posix.Chmod(full, entry.Mode); }
        foreach (var (name, value) in entry.Xattrs)
        {
            if (name.StartsWith(LayerPaths.OverlayXattrPrefix, StringComparison.Ordinal))
            {
                throw LayerException.ForEntry(entry.Name, $"sets overlayfs's own xattr {name}");
            }
            try
            {
                if (file is null) { Posix.LSetXattr(full, name, value); }
                else { Posix.FSetXattr(file, name, value, full); }
            }
            // As Docker does: a filesystem without xattr support, or user.* on a symlink, is not the layer's fault.
            catch (PosixException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.EPERM) { }
        }
        if (!setTimes) { return; }
        if (file is null) { Posix.LSetTimes(full, entry.ModifiedSeconds, entry.ModifiedNanoseconds); }
        else { Posix.FSetTimes(file, entry.ModifiedSeconds, entry.ModifiedNanoseconds, full); }
    }

    // (uid_t)-1 would mean "leave unchanged" to chown.
    private static void CheckOwner(TarHeader entry)
    {
        if (entry.Uid is < 0 or >= uint.MaxValue || entry.Gid is < 0 or >= uint.MaxValue)
        {
            throw LayerException.ForEntry(entry.Name, $"owner {entry.Uid}:{entry.Gid} is out of range");
        }
    }

    /// <summary>Sets the directory times deferred until every entry is in place.</summary>
    public void Finish()
    {
        foreach (var (relative, (seconds, nanoseconds)) in _directoryTimes)
        {
            Posix.LSetTimes(FullPath(relative), seconds, nanoseconds);
        }
    }

    /// <summary>Makes every component of <paramref name="directory"/> a real directory, creating missing ones (mode 0755, as Docker does).</summary>
    private void EnsureDirectory(string entryName, ReadOnlySpan<char> directory)
    {
        if (_known.Contains(directory)) { return; }
        var end = -1;
        while (end < directory.Length)
        {
            var next = directory[(end + 1)..].IndexOf('/');
            end = next < 0 ? directory.Length : end + 1 + next;
            var prefix = directory[..end];
            if (_known.Contains(prefix)) { continue; }
            var full = FullPath(prefix);
            if (Posix.TryLStat(full, out var status))
            {
                if (status.IsSymlink) { throw LayerException.ForEntry(entryName, $"'{prefix}' is a symlink; refusing to write through it"); }
                if (!status.IsDirectory && !status.IsWhiteout) { throw LayerException.ForEntry(entryName, $"'{prefix}' is not a directory"); }
            }
            if (!status.IsDirectory)
            {
                MakeDirectory(full);
                Posix.Chmod(full, 0x1ED /* 0755 */);
            }
            _directories.Add(prefix.ToString());
        }
    }

    /// <summary>
    /// mkdir, replacing a non-directory already there. A directory that replaces this layer's own
    /// whiteout is made opaque: the lower one was deleted, so none of its old content may show through.
    /// </summary>
    private void MakeDirectory(string full)
    {
        try { Posix.MakeDirectory(full, 0x1C0 /* 0700 until the entry's mode is applied */); }
        catch (PosixException e) when (e.Errno == Errno.EEXIST)
        {
            var status = Posix.LStat(full);
            if (status.IsDirectory) { return; }
            Posix.Unlink(full);
            Posix.MakeDirectory(full, 0x1C0);
            if (status.IsWhiteout) { Posix.LSetXattr(full, LayerPaths.OpaqueXattr, "y"u8); }
        }
    }

    /// <summary>Runs a create call; if something is in the way, removes it (tar order: later entries win) and runs it again.</summary>
    private T Replacing<TState, T>(string relative, string full, TState state, Func<string, TState, T> create)
    {
        try { return create(full, state); }
        catch (PosixException e) when (e.Errno == Errno.EEXIST)
        {
            if (Posix.LStat(full).IsDirectory)
            {
                System.IO.Directory.Delete(full, recursive: true);
                var below = relative + "/";
                _directories.RemoveWhere(d => d == relative || d.StartsWith(below, StringComparison.Ordinal));
                foreach (var key in _directoryTimes.Keys.Where(d => d == relative || d.StartsWith(below, StringComparison.Ordinal)).ToList())
                {
                    _directoryTimes.Remove(key);
                }
            }
            else { Posix.Unlink(full); }
            return create(full, state);
        }
    }
}
