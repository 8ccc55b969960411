using System.Text.RegularExpressions;

namespace DockPS.Registry.Client;

/// <summary>
/// An image reference, <c>[host[:port]/]path[:tag][@digest]</c>, parsed with Docker's grammar.
/// </summary>
/// <remarks>
/// The first path component is a registry host when it contains a '.' or a ':', is
/// <c>localhost</c>, or has upper-case letters (repository paths never do) — Docker's rule, so
/// <c>myhost/app</c> is the repository <c>myhost/app</c> and <c>myhost:5000/app</c> names a
/// registry. There is deliberately no built-in default registry: a reference without a host has
/// <see cref="Registry"/> = null and the caller decides where it points (and whether that registry
/// wants Docker's <c>library/</c> prefix for one-component names), typically with
/// <see cref="WithRegistry"/>. Tag and digest may both be present; the digest then wins for pulls.
/// </remarks>
public sealed partial record ImageReference
{
    /// <summary>The tag pulls use when a reference names neither tag nor digest.</summary>
    public const string DefaultTag = "latest";

    /// <summary>The longest name (registry and repository) Docker accepts.</summary>
    public const int MaxNameLength = 255;

    private ImageReference(string? registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host with optional port (<c>127.0.0.1:5000</c>), or null when the reference names none.</summary>
    public string? Registry { get; }

    /// <summary>The repository path inside the registry (<c>team/app</c>).</summary>
    public string Repository { get; }

    /// <summary>The tag, or null when the reference has none (see <see cref="DefaultTag"/>).</summary>
    public string? Tag { get; }

    /// <summary>The manifest digest (<c>sha256:…</c>), or null.</summary>
    public string? Digest { get; }

    /// <summary>Registry and repository, the name a tag is attached to (<c>host:5000/team/app</c>).</summary>
    public string Name => Registry is null ? Repository : Registry + "/" + Repository;

    /// <summary>What to ask the registry for: the digest if any, else the tag, else <see cref="DefaultTag"/>.</summary>
    public string ManifestReference => Digest ?? Tag ?? DefaultTag;

    /// <summary>Parses a reference or throws <see cref="InvalidImageReferenceException"/> saying what is wrong.</summary>
    public static ImageReference Parse(string reference) =>
        TryParse(reference, out var parsed, out var error) ? parsed : throw new InvalidImageReferenceException(reference, error);

    /// <summary>Parses a reference; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? reference, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImageReference? parsed, out string error)
    {
        parsed = null;
        error = "";
        if (string.IsNullOrWhiteSpace(reference)) { error = "the reference is empty"; return false; }
        // Name, tag and sha512 digest at their longest stay well below this; anything longer is
        // rejected before a pattern sees it.
        if (reference.Length > 512) { error = "the reference is longer than 512 characters"; return false; }

        var name = reference;
        string? digest = null;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!ContentDigest.IsValid(digest)) { error = $"'{digest}' is not a valid digest"; return false; }
        }

        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!IsValidTag(tag)) { error = $"'{tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')"; return false; }
        }

        string? registry = null;
        var slash = name.IndexOf('/');
        if (slash > 0 && LooksLikeHost(name[..slash]))
        {
            registry = name[..slash];
            name = name[(slash + 1)..];
            if (!IsValidRegistry(registry)) { error = $"'{registry}' is not a valid registry host"; return false; }
        }

        if ((registry is null ? 0 : registry.Length + 1) + name.Length > MaxNameLength)
        {
            error = $"the name is longer than {MaxNameLength} characters";
            return false;
        }
        if (!IsValidRepository(name))
        {
            error = name.Any(char.IsUpper)
                ? $"repository name '{name}' must be lower-case"
                : $"'{name}' is not a valid repository name (lower-case components of letters and digits, separated by '/', joined within a component by '.', '_', '__' or '-')";
            return false;
        }
        parsed = new ImageReference(registry, name, tag, digest);
        return true;
    }

    /// <summary>This reference in another registry, e.g. the caller's default when <see cref="Registry"/> is null.</summary>
    public ImageReference WithRegistry(string registry)
    {
        if (!IsValidRegistry(registry)) { throw new ArgumentException($"'{registry}' is not a valid registry host", nameof(registry)); }
        return new ImageReference(registry, Repository, Tag, Digest);
    }

    /// <summary>This name with another tag (and no digest).</summary>
    public ImageReference WithTag(string tag)
    {
        if (!IsValidTag(tag)) { throw new ArgumentException($"'{tag}' is not a valid tag", nameof(tag)); }
        return new ImageReference(Registry, Repository, tag, null);
    }

    /// <summary>This name pinned to a manifest digest (the tag is kept for display).</summary>
    public ImageReference WithDigest(string digest)
    {
        ContentDigest.Validate(digest, nameof(digest));
        return new ImageReference(Registry, Repository, Tag, digest);
    }

    /// <summary>The canonical text, <c>[registry/]repository[:tag][@digest]</c>; parsing it gives this reference back.</summary>
    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>True for a repository path the distribution spec allows.</summary>
    public static bool IsValidRepository(string? repository) =>
        repository is { Length: > 0 and <= MaxNameLength } && RepositoryPattern().IsMatch(repository);

    /// <summary>True for a registry <c>host[:port]</c> (DNS name, IPv4, or bracketed IPv6).</summary>
    public static bool IsValidRegistry(string? registry) =>
        registry is { Length: > 0 and <= MaxNameLength } && DomainPattern().IsMatch(registry);

    /// <summary>True for a tag the distribution spec allows.</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    private static bool LooksLikeHost(string component) =>
        component.Contains('.') || component.Contains(':') || component == "localhost" || component.Any(char.IsUpper);

    // The grammar of the distribution reference package, as regular expressions compiled at build
    // time (no runtime code generation in the AOT daemon).
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();
}

/// <summary>A string that is not a valid image reference; the message says which part is wrong.</summary>
public sealed class InvalidImageReferenceException(string reference, string reason)
    : FormatException($"invalid image reference '{reference}': {reason}")
{
    /// <summary>The text that failed to parse.</summary>
    public string Reference { get; } = reference;
}
