using DockPS.Engine.Native;
using System.Text;

namespace DockPS.Engine.Native;

/// <summary>
/// The mounts this process sees (<c>/proc/self/mountinfo</c>). Volumes consult it rather than
/// comparing device numbers, which a bind mount from the same filesystem does not change: before
/// deleting a volume's files the engine must know that no host directory is mounted inside it.
/// </summary>
internal static class MountTable
{
    private const string MountInfo = "/proc/self/mountinfo";

    /// <summary>Every mount point, as the kernel spells it (canonical paths, escapes decoded).</summary>
    public static IReadOnlyList<string> MountPoints()
    {
        var points = new List<string>();
        foreach (var line in File.ReadLines(MountInfo))
        {
            // "id parent major:minor root mountpoint options ... - fstype source superoptions"
            var fields = line.Split(' ');
            if (fields.Length > 4) { points.Add(Unescape(fields[4])); }
        }
        return points;
    }

    /// <summary>Whether something is mounted exactly on <paramref name="path"/>.</summary>
    public static bool IsMountPoint(string path)
    {
        if (!Path.Exists(path)) { return false; }
        if (Posix.IsMountRoot(path) is { } answer) { return answer; }
        var canonical = Canonical(path);
        return MountPoints().Contains(canonical, StringComparer.Ordinal);
    }

    /// <summary>Mount points at or below <paramref name="path"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> Under(string path)
    {
        var canonical = Canonical(path);
        return MountPoints()
            .Where(p => p == canonical || p.StartsWith(canonical + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Length)
            .ToList();
    }

    /// <summary>
    /// Detaches every mount at or below <paramref name="path"/>. Detaching (MNT_DETACH) takes the
    /// mount out of the tree at once, even while a process still has a file open on it.
    /// </summary>
    /// <exception cref="IOException">A mount is still there afterwards; deleting below it would reach into it.</exception>
    public static void UnmountAll(string path)
    {
        // The usual case, a running container's root: one mount on the path itself, and detaching
        // it takes whatever is mounted below it along. The table is read only when more is left.
        if (Posix.IsMountRoot(path) == true)
        {
            try { Posix.Unmount(path, Posix.MntDetach | Posix.UmountNoFollow); }
            catch (PosixException e) when (e.Errno is Errno.EINVAL or Errno.ENOENT) { }
        }
        if (NothingMountedAtOrBelow(path)) { return; }
        foreach (var point in Under(path))
        {
            try { Posix.Unmount(point, Posix.MntDetach | Posix.UmountNoFollow); }
            catch (PosixException e) when (e.Errno is Errno.EINVAL or Errno.ENOENT)
            {
                // EINVAL: already gone (an outer mount's detach took it along).
            }
        }
        if (Under(path) is { Count: > 0 } left)
        {
            throw new IOException($"{left[0]} is still mounted; its files are not deleted");
        }
    }

    // The common case (a stopped container's root, an unused volume) without reading the table:
    // nothing is mounted on a path that is not there, and a mount below a directory needs an entry
    // in it, so an empty directory that is no mount root has nothing mounted at or below it.
    private static bool NothingMountedAtOrBelow(string path) =>
        !Path.Exists(path)
        || (Posix.IsMountRoot(path) == false && (!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any()));

    /// <summary>The path with every symlink in it resolved, as mountinfo spells mount points.</summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var resolved = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                next = Canonical(target.FullName);
            }
            resolved = next;
        }
        return resolved;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal escapes.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) { return field; }
        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3) is var octal && octal.IndexOfAnyExcept("01234567") < 0)
            {
                bytes.Add((byte)Convert.ToInt32(octal.ToString(), 8));
                i += 3;
                continue;
            }
            bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
