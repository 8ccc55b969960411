using DockPS.Engine.Native;
using Microsoft.Win32.SafeHandles;

namespace DockPS.Engine.Containers.Logs;

/// <summary>A file's identity: what stays the same when it is renamed, and differs for a new file of the same name.</summary>
internal readonly record struct FileId(uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    public static FileId Of(in FileStatus status) => new(status.DeviceMajor, status.DeviceMinor, status.Inode);
}

/// <summary>A log file held open: the handle keeps its content readable whatever the writer renames or deletes.</summary>
internal sealed class OpenLogFile(SafeFileHandle handle, string name, FileId id, long length) : IDisposable
{
    /// <summary>The open file.</summary>
    public SafeFileHandle Handle { get; } = handle;

    /// <summary>Its name when it was opened.</summary>
    public string Name { get; } = name;

    /// <summary>Its identity.</summary>
    public FileId Id { get; } = id;

    /// <summary>Its size when it was opened: where a read that does not follow stops.</summary>
    public long Length { get; } = length;

    /// <summary>Closes the handle.</summary>
    public void Dispose() => Handle.Dispose();

    /// <summary>Opens <paramref name="name"/> for reading; null when there is no such file.</summary>
    public static OpenLogFile? TryOpen(string name)
    {
        SafeFileHandle handle;
        try { handle = Posix.OpenReadNoFollow(name); }
        catch (PosixException e) when (e.Errno is Errno.ENOENT or Errno.ENOTDIR) { return null; }
        try
        {
            var status = Posix.FStat(handle, name);
            return new OpenLogFile(handle, name, FileId.Of(status), (long)status.Size);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}

/// <summary>
/// The files of one json-file log — <c>path</c> and its rotations <c>path.1</c> (newest) to
/// <c>path.N-1</c> (oldest) — opened together, and how to find the file that follows one being read.
/// The writer is another process that rotates whenever it likes; no lock is shared, so every answer
/// is checked against the names again after the files are open.
/// </summary>
internal static class LogFiles
{
    // A rotation renames the files one by one, oldest first, so at most one number is missing at a
    // time: two in a row missing is the end of the set.
    private const int GapTolerance = 2;

    /// <summary>The name of rotation <paramref name="k"/> (0 is the current file).</summary>
    public static string Rotation(string path, int k) => k == 0 ? path : $"{path}.{k}";

    /// <summary>
    /// Opens every file of the log, oldest first, the current file (when there is one) last. A rotation
    /// while they are opened is seen (the current file's name no longer names the file opened) and
    /// the set opened again, so the files form one unbroken sequence.
    /// </summary>
    public static async Task<(List<OpenLogFile> Files, bool HasCurrent)> OpenAllAsync(string path, CancellationToken cancellationToken)
    {
        const int attempts = 20;
        for (var attempt = 1; ; attempt++)
        {
            var current = OpenLogFile.TryOpen(path);
            var rotated = new List<OpenLogFile>();
            var misses = 0;
            for (var k = 1; misses < GapTolerance; k++)
            {
                var file = OpenLogFile.TryOpen(Rotation(path, k));
                if (file is null) { misses++; continue; }
                misses = 0;
                // A rename during the scan can show one file under two numbers: keep it once.
                if (file.Id == current?.Id || rotated.Exists(r => r.Id == file.Id)) { file.Dispose(); continue; }
                rotated.Add(file);
            }

            var stable = current is null ? !Path.Exists(path) : TryGetId(path, out var id) && id == current.Id;
            // A missing current file beside rotated ones is a rotation half done (renamed, not yet created).
            var complete = current is not null || rotated.Count == 0;
            if ((stable && complete) || attempt == attempts)
            {
                rotated.Reverse();
                if (current is not null) { rotated.Add(current); }
                return (rotated, current is not null);
            }
            current?.Dispose();
            rotated.ForEach(f => f.Dispose());
            await Task.Delay(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Looks whether <paramref name="current"/> is still the log's current file. When it was rotated
    /// away or deleted, returns the file written after it, opened; null while it is still current, or
    /// while the names are mid-rotation (the caller looks again later). With no file yet, returns the
    /// first one to appear. A truncated file keeps its name and identity: the reader notices that itself.
    /// </summary>
    public static OpenLogFile? FindNext(string path, OpenLogFile? current)
    {
        if (current is null) { return OpenOldest(path); }
        if (!TryGetId(path, out var id) || id == current.Id) { return null; }

        // The name holds another file: ours was renamed to a rotation number, or deleted.
        var misses = 0;
        for (var k = 1; misses < GapTolerance; k++)
        {
            if (!TryGetId(Rotation(path, k), out var rotatedId)) { misses++; continue; }
            misses = 0;
            if (rotatedId != current.Id) { continue; }
            var candidate = OpenLogFile.TryOpen(Rotation(path, k - 1));
            if (candidate is null) { return null; }
            // Still at k after the open: no rotation came between, so k-1 held our file's successor.
            if (TryGetId(Rotation(path, k), out var again) && again == current.Id) { return candidate; }
            candidate.Dispose();
            return null;
        }

        // Deleted: one-file rotation by unlinking, or rotated out while we were slow. Every file left
        // is newer than ours, so the oldest of them comes next (what was deleted unread is lost).
        return OpenOldest(path);
    }

    private static OpenLogFile? OpenOldest(string path)
    {
        var oldest = 0;
        var misses = 0;
        for (var k = 1; misses < GapTolerance; k++)
        {
            if (Path.Exists(Rotation(path, k))) { oldest = k; misses = 0; }
            else { misses++; }
        }
        return OpenLogFile.TryOpen(Rotation(path, oldest));
    }

    private static bool TryGetId(string name, out FileId id)
    {
        id = default;
        if (!Posix.TryLStat(name, out var status)) { return false; }
        id = FileId.Of(status);
        return true;
    }
}
