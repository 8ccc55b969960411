using System.Security.Cryptography;
using DockPS.Registry.Client;

namespace DockPS.Engine.Images;

/// <summary>
/// A content digest, <c>sha256:&lt;64 lowercase hex&gt;</c>: the identity of every blob, layer and
/// image, as a typed value over the string rules of <see cref="ContentDigest"/>. Parsing is
/// strict, because digests become file names.
/// </summary>
public readonly record struct Digest
{
    /// <summary>The only algorithm the store writes; sha512 is read where registries use it.</summary>
    public const string Sha256 = ContentDigest.Sha256;

    /// <summary>The algorithm ("sha256" or "sha512").</summary>
    public string Algorithm { get; }

    /// <summary>The lowercase hex encoding.</summary>
    public string Hex { get; }

    private Digest(string algorithm, string hex) => (Algorithm, Hex) = (algorithm, hex);

    /// <summary>Parses <c>algorithm:hex</c>.</summary>
    /// <exception cref="FormatException">Not a well-formed sha256 or sha512 digest.</exception>
    public static Digest Parse(string text) =>
        TryParse(text, out var digest) ? digest : throw new FormatException($"invalid digest \"{text}\": expected sha256:<64 hex digits>");

    /// <summary>Parses <c>algorithm:hex</c>; false when malformed (by the registry client's rules, the one place they live).</summary>
    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (!ContentDigest.IsValid(text)) { return false; }
        var colon = text!.IndexOf(':');
        digest = new Digest(text[..colon], text[(colon + 1)..]);
        return true;
    }

    /// <summary>The sha256 digest of <paramref name="bytes"/>.</summary>
    public static Digest Of(ReadOnlySpan<byte> bytes) => new(Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>A digest from a finished hash.</summary>
    public static Digest FromHash(IncrementalHash hash) => new(Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));

    /// <summary>The short form Docker shows (12 hex digits).</summary>
    public string Short => Hex[..12];

    /// <inheritdoc/>
    public override string ToString() => $"{Algorithm}:{Hex}";
}
