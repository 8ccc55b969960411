namespace DockPS.Engine.Layers;

/// <summary>Entry names as a layer spells them, and the OCI and overlayfs whiteout conventions.</summary>
internal static class LayerPaths
{
    /// <summary>OCI: <c>dir/.wh.name</c> deletes <c>name</c> of lower layers.</summary>
    public const string WhiteoutPrefix = ".wh.";

    /// <summary>OCI: <c>dir/.wh..wh..opq</c> hides everything lower layers have in <c>dir</c>.</summary>
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>AUFS bookkeeping (<c>.wh..wh.plnk</c> and the like) that old Docker layers may carry; never content.</summary>
    public const string MetaPrefix = ".wh..wh.";

    /// <summary>The overlayfs xattr that makes a directory opaque.</summary>
    public const string OpaqueXattr = "trusted.overlay.opaque";

    /// <summary>overlayfs keeps its own bookkeeping under this prefix; a layer must never set or carry it.</summary>
    public const string OverlayXattrPrefix = "trusted.overlay.";

    /// <summary>
    /// The path an entry name denotes relative to the layer root, without leading "/" or "./",
    /// "." components, doubled or trailing slashes, and with ".." resolved lexically (nothing on
    /// disk is consulted, so no symlink can bend it). Null when the name climbs above the root.
    /// The root itself is "".
    /// </summary>
    public static string? Clean(string name)
    {
        var span = name.AsSpan();
        while (true)
        {
            if (span.StartsWith('/')) { span = span[1..]; }
            else if (span.StartsWith("./")) { span = span[2..]; }
            else { break; }
        }
        span = span.TrimEnd('/');
        if (span is ".") { return ""; }
        if (IsSimple(span)) { return span.Length == name.Length ? name : span.ToString(); }

        var parts = new List<string>();
        foreach (var part in span.ToString().Split('/'))
        {
            if (part is "" or ".") { continue; }
            if (part == "..")
            {
                if (parts.Count == 0) { return null; }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>The part after the last slash.</summary>
    public static ReadOnlySpan<char> BaseName(string path) => path.AsSpan(path.LastIndexOf('/') + 1);

    /// <summary>The part before the last slash ("" for a top-level name).</summary>
    public static ReadOnlySpan<char> DirectoryName(string path) => path.AsSpan(0, Math.Max(0, path.LastIndexOf('/')));

    /// <summary>True when no component is empty, "." or "..": the name is already clean.</summary>
    private static bool IsSimple(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var part = path[range];
            if (part.IsEmpty || part is "." or "..") { return false; }
        }
        return true;
    }
}
