using System.Security.Cryptography;

namespace DockPS.Engine.Volumes;

/// <summary>The local driver's naming rule and the names of anonymous volumes.</summary>
public static class VolumeNames
{
    /// <summary>The rule, spelled as dockerd spells it in its error message.</summary>
    public const string AllowedCharacters = "[a-zA-Z0-9][a-zA-Z0-9_.-]";

    /// <summary>
    /// Whether <paramref name="name"/> is a local volume name: Docker's
    /// <c>^[a-zA-Z0-9][a-zA-Z0-9_.-]+$</c>. The rule keeps every name a single path component
    /// under the volumes folder: no "/", and no "." or ".." (they cannot start with a dot).
    /// </summary>
    public static bool IsValid(string name) =>
        name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0]) &&
        name.AsSpan(1).IndexOfAnyExcept(NameCharacters) < 0;

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

    /// <summary>Refuses a name the local driver cannot hold, with dockerd's message.</summary>
    /// <exception cref="InvalidVolumeException">The name breaks the rule.</exception>
    public static void Validate(string name)
    {
        if (name.Length == 1)
        {
            throw new InvalidVolumeException($"create {name}: volume name is too short, names should be at least two alphanumeric characters");
        }
        if (!IsValid(name))
        {
            throw new InvalidVolumeException(
                $"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"{AllowedCharacters}\" are allowed. " +
                "If you intended to pass a host directory, use absolute path");
        }
    }

    /// <summary>A fresh anonymous volume name: 64 random lowercase hex digits, as Docker makes them.</summary>
    public static string NewAnonymous() => RandomNumberGenerator.GetHexString(64, lowercase: true);
}
