using System.Security.Cryptography;

namespace DockPS.Registry.Client;

/// <summary>
/// Digests in the <c>algorithm:hex</c> form the OCI specs use. sha256 is what registries and the
/// engine write; sha512 is accepted when reading because the image spec registers it.
/// </summary>
public static class ContentDigest
{
    /// <summary>The digest algorithm this client writes.</summary>
    public const string Sha256 = "sha256";

    /// <summary>The sha256 digest of <paramref name="content"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> content) =>
        Sha256 + ":" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>
    /// True when <paramref name="digest"/> is a registered algorithm with a hex part of the right
    /// length, in lower case: the only form the specs allow, so two spellings never name one blob.
    /// </summary>
    public static bool IsValid(string? digest)
    {
        if (digest is null || HexLength(digest) is not { } length) { return false; }
        var hex = digest.AsSpan(digest.IndexOf(':') + 1);
        return hex.Length == length && hex.IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the parameter unless the digest is valid.</summary>
    public static void Validate(string digest, string parameterName)
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException($"'{digest}' is not a valid digest (expected sha256:<64 lower-case hex digits>)", parameterName);
        }
    }

    /// <summary>
    /// An incremental hash for the digest's algorithm, so a caller can verify content while it
    /// streams instead of buffering it.
    /// </summary>
    public static IncrementalHash CreateHash(string digest)
    {
        Validate(digest, nameof(digest));
        return IncrementalHash.CreateHash(digest.StartsWith("sha512:", StringComparison.Ordinal)
            ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
    }

    /// <summary>The digest (in <paramref name="expected"/>'s algorithm) of the bytes hashed so far.</summary>
    public static string Finish(IncrementalHash hash, string expected) =>
        expected[..expected.IndexOf(':')] + ":" + Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>True when <paramref name="content"/> hashes to <paramref name="digest"/> in its algorithm.</summary>
    public static bool Matches(ReadOnlySpan<byte> content, string digest)
    {
        using var hash = CreateHash(digest);
        hash.AppendData(content);
        return Finish(hash, digest) == digest;
    }

    private static int? HexLength(string? digest) => digest switch
    {
        null => null,
        _ when digest.StartsWith("sha256:", StringComparison.Ordinal) => 64,
        _ when digest.StartsWith("sha512:", StringComparison.Ordinal) => 128,
        _ => null,
    };
}
