using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockPS.Registry.Server.Auth;

/// <summary>What a valid token says: who it was issued to, what it grants, when it lapses.</summary>
public sealed record TokenClaims(string Subject, IReadOnlyList<AccessScope> Access, DateTimeOffset Expires);

/// <summary>
/// Issues and checks the registry's bearer tokens: JWTs (HS256) with the claims of the Docker
/// token specification (<c>iss</c>, <c>sub</c>, <c>aud</c>, <c>exp</c>, <c>nbf</c>, <c>iat</c>,
/// <c>jti</c>, <c>access</c>). The registry is both issuer and verifier, so a symmetric key kept
/// in its root suffices: no certificate chain to distribute, and tokens stay valid across a restart.
/// </summary>
public sealed class TokenService
{
    /// <summary>How long a token lives: long enough for a large push's next request, short enough that a revoked user is out soon.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    // Clocks of one machine agree; this only absorbs the second boundaries of nbf/exp.
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(5);
    private static readonly string Header = Base64Url.EncodeToString("""{"typ":"JWT","alg":"HS256"}"""u8);

    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    /// <summary>A service signing with <paramref name="key"/> (at least 32 bytes) for audience <paramref name="service"/>.</summary>
    public TokenService(byte[] key, string service, TimeSpan? lifetime = null, TimeProvider? clock = null)
    {
        if (key.Length < 32) { throw new ArgumentException("a token key has at least 32 bytes", nameof(key)); }
        _key = key;
        Service = service;
        Lifetime = lifetime ?? DefaultLifetime;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The service name clients send and tokens carry as their audience.</summary>
    public string Service { get; }

    /// <summary>How long issued tokens are valid.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>
    /// The key in <paramref name="path"/>, made (32 random bytes, owner-only) when the file does
    /// not exist yet; a racing second start reads the key the first one wrote.
    /// </summary>
    public static byte[] LoadOrCreateKey(string path)
    {
        if (!File.Exists(path)) { AtomicFile.WriteOwnerOnly(path, RandomNumberGenerator.GetBytes(32), overwrite: false); }
        var key = File.ReadAllBytes(path);
        return key.Length >= 32 ? key : throw new InvalidDataException($"{path} holds no token key (expected 32 bytes); delete it to make a new one");
    }

    /// <summary>A signed token for <paramref name="subject"/> granting <paramref name="access"/>.</summary>
    public (string Token, DateTimeOffset IssuedAt) Issue(string subject, IReadOnlyList<AccessScope> access)
    {
        var now = _clock.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", Service);
            writer.WriteString("sub", subject);
            writer.WriteString("aud", Service);
            writer.WriteNumber("exp", (now + Lifetime).ToUnixTimeSeconds());
            writer.WriteNumber("nbf", now.ToUnixTimeSeconds());
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteString("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            writer.WriteStartArray("access");
            foreach (var scope in access)
            {
                writer.WriteStartObject();
                writer.WriteString("type", scope.Type);
                writer.WriteString("name", scope.Name);
                writer.WriteStartArray("actions");
                foreach (var action in scope.Actions) { writer.WriteStringValue(action); }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        var signed = Header + "." + Base64Url.EncodeToString(buffer.ToArray());
        return (signed + "." + Sign(signed), now);
    }

    /// <summary>The claims of <paramref name="token"/>; null when it is malformed, forged, for another service, or outside its validity.</summary>
    public TokenClaims? Validate(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) { return null; }
        if (parts[0] != Header
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(parts[2]), Encoding.UTF8.GetBytes(Sign(parts[0] + "." + parts[1]))))
        {
            return null;
        }
        byte[] payload;
        try { payload = Base64Url.DecodeFromChars(parts[1]); }
        catch (FormatException) { return null; }
        try
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            var now = _clock.GetUtcNow();
            var expires = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64());
            var notBefore = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("nbf").GetInt64());
            if (root.GetProperty("aud").GetString() != Service || now > expires + Leeway || now < notBefore - Leeway) { return null; }
            var access = root.GetProperty("access").EnumerateArray().Select(a => new AccessScope(
                a.GetProperty("type").GetString()!, a.GetProperty("name").GetString()!,
                a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()!).ToList())).ToList();
            return new TokenClaims(root.GetProperty("sub").GetString()!, access, expires);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Signed by us but not our shape: only a key shared with something else could do that.
            return null;
        }
    }

    private string Sign(string signingInput) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(signingInput)));
}
