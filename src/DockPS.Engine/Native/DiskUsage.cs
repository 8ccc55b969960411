namespace DockPS.Engine.Native;

/// <summary>How many bytes a directory tree holds, counted as Docker's disk usage does.</summary>
public static class DiskUsage
{
    /// <summary>
    /// Bytes in the regular files under <paramref name="path"/>, each hard-linked file once;
    /// mounts inside it (another device) are not entered. 0 when it is not a directory.
    /// </summary>
    public static long Of(string path)
    {
        if (!Posix.TryLStat(path, out var root) || !root.IsDirectory) { return 0; }
        var seen = new HashSet<ulong>();
        long total = 0;
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.TryPop(out var dir))
        {
            IEnumerable<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // gone or closed meanwhile
            foreach (var entry in entries)
            {
                if (!Posix.TryLStat(entry, out var status)) { continue; }
                if (status.DeviceMajor != root.DeviceMajor || status.DeviceMinor != root.DeviceMinor) { continue; }
                if (status.IsDirectory) { pending.Push(entry); }
                else if (status.IsRegular && (status.LinkCount <= 1 || seen.Add(status.Inode))) { total += (long)status.Size; }
            }
        }
        return total;
    }
}
