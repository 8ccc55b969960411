namespace DockPS.Client;

/// <summary>Small readings of image reference text the module needs without parsing the full grammar (the daemon does that).</summary>
public static class ReferenceText
{
    /// <summary>The registry part of "host[:port]/path[:tag]", by Docker's rule (a '.' or ':' or "localhost" in the first component), else null.</summary>
    public static string? RegistryOf(string reference)
    {
        var slash = reference.IndexOf('/');
        if (slash <= 0) { return null; }
        var first = reference[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : null;
    }

    /// <summary>"name:tag" → (name, tag); a colon after the last slash starts the tag; "name@digest" keeps the digest as the tag part.</summary>
    public static (string Name, string? Tag) Split(string reference)
    {
        var at = reference.IndexOf('@');
        if (at > 0) { return (reference[..at], reference[(at + 1)..]); }
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, null);
    }
}
