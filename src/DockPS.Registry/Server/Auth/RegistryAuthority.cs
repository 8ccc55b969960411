using System.Text;

namespace DockPS.Registry.Server.Auth;

/// <summary>
/// Who a request comes from: a user who sent a password (Basic), or the holder of a token. A token
/// grants exactly its scopes; a password-authenticated user gets what the access list allows.
/// </summary>
public sealed record Identity(string User, IReadOnlyList<AccessScope>? TokenAccess)
{
    /// <summary>The user of the tokens issued to clients that sent no credentials: they grant nothing.</summary>
    public const string AnonymousUser = "";

    /// <summary>True for the holder of an anonymous token: known to have no credentials, allowed nothing.</summary>
    public bool IsAnonymous => User.Length == 0;

    /// <summary>True when this identity may do <paramref name="action"/> to <paramref name="type"/>:<paramref name="name"/>.</summary>
    public bool Allows(AccessList access, string type, string name, string action) => TokenAccess is { } scopes
        ? scopes.Any(s => s.Covers(type, name, action))
        : type == AccessScope.Registry || access.Allows(User, name, action);
}

/// <summary>Why a request carries no usable identity.</summary>
public enum AuthFailure
{
    /// <summary>No Authorization header (or a scheme this registry does not take).</summary>
    Missing,
    /// <summary>A user name or password that does not match.</summary>
    BadCredentials,
    /// <summary>A token that is forged, expired or for another service.</summary>
    InvalidToken,
}

/// <summary>
/// The registry's authentication and authorization in one place: its users (htpasswd), what they
/// may do (the access list) and the tokens it issues. With none configured the registry is open.
/// </summary>
public sealed class RegistryAuthority(HtpasswdFile users, AccessList access, TokenService tokens)
{
    /// <summary>The service name of the registry's tokens and challenges.</summary>
    public const string ServiceName = "dockps-registry";

    /// <summary>The users.</summary>
    public HtpasswdFile Users { get; } = users;

    /// <summary>The access list (everyone-may-do-everything without a file).</summary>
    public AccessList Access { get; } = access;

    /// <summary>The token issuer and checker.</summary>
    public TokenService Tokens { get; } = tokens;

    /// <summary>
    /// Opens the authority of a registry at <paramref name="root"/>: users from
    /// <paramref name="htpasswdPath"/>, the access list from <paramref name="accessPath"/> if
    /// given, and the token key kept in <c>auth/token.key</c> under the root (made at first start).
    /// </summary>
    public static RegistryAuthority Open(string root, string htpasswdPath, string? accessPath) => new(
        new HtpasswdFile(htpasswdPath),
        accessPath is null ? AccessList.Everyone : AccessList.Load(accessPath),
        new TokenService(TokenService.LoadOrCreateKey(Path.Combine(root, "auth", "token.key")), ServiceName));

    /// <summary>The user of a <c>user:password</c> pair when the password matches, else null.</summary>
    public string? Authenticate(string user, string password) => Users.Verify(user, password) ? user : null;

    /// <summary>Reads an Authorization header: Basic against the users, Bearer against the tokens.</summary>
    public (Identity? Identity, AuthFailure Failure) Identify(string? authorization)
    {
        if (authorization is null) { return (null, AuthFailure.Missing); }
        if (TryBasic(authorization) is var (user, password) && user is not null)
        {
            return Authenticate(user, password!) is { } who ? (new Identity(who, null), default) : (null, AuthFailure.BadCredentials);
        }
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Tokens.Validate(authorization[7..].Trim()) is { } claims
                ? (new Identity(claims.Subject, claims.Access), default)
                : (null, AuthFailure.InvalidToken);
        }
        return (null, AuthFailure.Missing);
    }

    /// <summary>The user name and password of a Basic Authorization header; (null, null) for any other header.</summary>
    public static (string? User, string? Password) TryBasic(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) { return (null, null); }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            var colon = pair.IndexOf(':');
            return colon > 0 ? (pair[..colon], pair[(colon + 1)..]) : (null, null);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
