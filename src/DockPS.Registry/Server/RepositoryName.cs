using System.Text.RegularExpressions;

namespace DockPS.Registry.Server;

/// <summary>
/// The distribution spec's grammar for repository names and tags. Every name is checked here
/// before it becomes a path under the storage root: the grammar admits no empty, <c>.</c>,
/// <c>..</c> or <c>_</c>-leading component, so a name can neither leave its folder nor collide
/// with the store's own <c>_manifests</c>-style folders.
/// </summary>
public static partial class RepositoryName
{
    /// <summary>Longest name accepted; clients limit host plus name to 255 characters.</summary>
    public const int MaxLength = 255;

    /// <summary>True when <paramref name="name"/> matches the spec's name regular expression.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && NamePattern().IsMatch(name);

    /// <summary>True when <paramref name="tag"/> matches the spec's tag regular expression.</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>Throws NAME_INVALID unless the name is valid.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new DistributionException(DistributionErrorCode.NameInvalid, "invalid repository name", name);
        }
    }

    // \z, not $: $ also matches before a final newline, which would let "a\n" through.
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}
