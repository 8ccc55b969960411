using System.Runtime.InteropServices;

namespace DockPS.Registry.Server;

/// <summary>
/// Writes that readers see whole or not at all: content goes to a temporary file in the store's
/// own <c>tmp</c> folder (same filesystem, so the rename is atomic), is flushed to disk, then
/// renamed over the target, and the target's folder is synced so the rename survives a crash.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically.</summary>
    public static void Write(string tempFolder, string path, ReadOnlySpan<byte> content)
    {
        var temp = NewTempPath(tempFolder);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            MoveIntoPlace(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Writes a secret (a key, password hashes) readable by its owner only, through a temp file
    /// beside <paramref name="path"/>. Without <paramref name="overwrite"/> an existing file wins
    /// and false is returned (two first starts racing to make a key agree on one).
    /// </summary>
    public static bool WriteOwnerOnly(string path, ReadOnlySpan<byte> content, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():n}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) { options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            return MoveIntoPlace(temp, full, overwrite);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A fresh, unused file name in <paramref name="tempFolder"/>.</summary>
    public static string NewTempPath(string tempFolder) =>
        Path.Combine(tempFolder, Guid.NewGuid().ToString("n"));

    /// <summary>
    /// Renames a finished temp file to <paramref name="path"/>, creating its folder. Without
    /// <paramref name="overwrite"/>, returns false when the target already exists (content-addressed
    /// files: the one there has the same bytes).
    /// </summary>
    public static bool MoveIntoPlace(string temp, string path, bool overwrite)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        try
        {
            File.Move(temp, path, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            return false;
        }
        SyncFolder(folder);
        return true;
    }

    /// <summary>Flushes a folder's entries (a rename) to disk; best effort where the OS refuses.</summary>
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux()) { return; }
        var fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0) { return; }
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
