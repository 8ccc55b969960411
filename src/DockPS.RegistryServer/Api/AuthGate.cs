using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>
/// Checks every /v2/ request against the registry's authority before its handler runs. With auth
/// on, a request without usable credentials gets 401 UNAUTHORIZED and a Bearer challenge naming
/// the token endpoint and the scope it needs; a token (or user) without that scope gets 403
/// DENIED. Basic credentials sent directly are accepted too.
/// </summary>
/// <remarks>
/// Why the challenge is Bearer, not Basic: every client that matters (the docker CLI and dockerd,
/// containerd, skopeo, our own client) follows it, and a token costs one HMAC to check where a
/// password costs a bcrypt round (tens of milliseconds) — per request, and a push is dozens of
/// requests. Clients that send Basic up front (curl -u, scripts) still work.
/// </remarks>
internal static class AuthGate
{
    public const string TokenPath = "/auth/token";
    private const string IdentityKey = "dockps.identity";

    /// <summary>
    /// Lets the request through when it may do <paramref name="action"/> to
    /// <paramref name="type"/>:<paramref name="name"/> (any authenticated identity when
    /// <paramref name="action"/> is null: the /v2/ base check); throws the spec's error otherwise.
    /// </summary>
    public static void Require(HttpContext http, RegistryServices services, string type, string name, string? action)
    {
        if (services.Auth is not { } authority) { return; }
        // What a client should ask a token for: a write needs reads too (an upload checks what exists).
        var needed = action is null ? null
            : new AccessScope(type, name, type == AccessScope.Repository && action != AccessScope.Pull ? [AccessScope.Pull, action] : [action]);
        var (identity, failure) = authority.Identify(http.Request.Headers.Authorization.FirstOrDefault());
        if (identity is null || (identity.IsAnonymous && action is null))
        {
            Challenge(http, needed, failure == AuthFailure.InvalidToken ? "invalid_token" : null);
            throw new DistributionException(DistributionErrorCode.Unauthorized,
                failure == AuthFailure.Missing ? "authentication required" : "authentication failed", needed?.ToString());
        }
        http.Items[IdentityKey] = identity;
        if (action is not null && !identity.Allows(authority.Access, type, name, action))
        {
            Challenge(http, needed, "insufficient_scope");
            throw new DistributionException(DistributionErrorCode.Denied, "requested access to the resource is denied", needed!.ToString());
        }
    }

    /// <summary>
    /// Whether the request's identity (checked by <see cref="Require"/>) may also do
    /// <paramref name="action"/> to repository <paramref name="name"/>: the source of a
    /// cross-repository mount, the repositories the catalog shows.
    /// </summary>
    public static bool Allows(HttpContext http, RegistryServices services, string name, string action) =>
        services.Auth is not { } authority
        || (http.Items[IdentityKey] is Identity identity && identity.Allows(authority.Access, AccessScope.Repository, name, action));

    /// <summary>
    /// Whether the access list lets the request's user do <paramref name="action"/> to repository
    /// <paramref name="name"/>, whatever the token's scopes: the catalog's filter (a catalog token
    /// names no repositories).
    /// </summary>
    public static bool UserMay(HttpContext http, RegistryServices services, string name, string action) =>
        services.Auth is not { } authority
        || (http.Items[IdentityKey] is Identity { IsAnonymous: false } identity && authority.Access.Allows(identity.User, name, action));

    /// <summary>The token endpoint's URL as this client reaches the registry.</summary>
    public static string Realm(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{TokenPath}";

    private static void Challenge(HttpContext http, AccessScope? scope, string? error)
    {
        var value = $"Bearer realm=\"{Realm(http)}\",service=\"{RegistryAuthority.ServiceName}\"";
        if (scope is not null) { value += $",scope=\"{scope}\""; }
        if (error is not null) { value += $",error=\"{error}\""; }
        http.Response.Headers.WWWAuthenticate = value;
    }
}
