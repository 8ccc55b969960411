namespace DockPS.Engine.Containers;

/// <summary>
/// Paths inside a container's root seen from the host. Symlinks in the image are resolved as the
/// container would see them — an absolute target starts at the container's root, <c>..</c> stops
/// there — so reading /etc/passwd or creating the working directory never leaves the root.
/// </summary>
public static class RootfsPath
{
    private const int MaxLinks = 40;

    /// <summary>The host path of <paramref name="path"/> in the root <paramref name="root"/>, every symlink followed within it.</summary>
    /// <exception cref="IOException">Too many levels of symbolic links.</exception>
    public static string Resolve(string root, string path)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(Split(path).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..") { if (resolved.Count > 0) { resolved.RemoveAt(resolved.Count - 1); } continue; }
            var host = Path.Combine(root, Path.Combine([.. resolved, part]));
            // readlink answers for dangling links too, and null for anything that is not a link.
            if (new FileInfo(host).LinkTarget is { } target)
            {
                if (++links > MaxLinks) { throw new IOException($"too many levels of symbolic links resolving {path}"); }
                if (target.StartsWith('/')) { resolved.Clear(); }
                foreach (var next in Split(target).Reverse()) { pending.Push(next); }
                continue;
            }
            resolved.Add(part);
        }
        return resolved.Count == 0 ? root : Path.Combine(root, Path.Combine([.. resolved]));
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
