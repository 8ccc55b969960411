using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>
/// The token endpoint of the Docker token specification, served by the registry itself:
/// <c>GET /auth/token?service=...&amp;scope=repository:name:pull,push</c> with Basic credentials,
/// and the OAuth2 form <c>POST /auth/token</c> (<c>grant_type=password</c>, which containerd-based
/// clients try first). The token carries the requested scopes the access list grants, which may
/// be fewer than asked or none (a login asks for none); the registry then answers 403 for what
/// is missing.
/// </summary>
/// <remarks>
/// A GET with no credentials at all gets an anonymous token that grants nothing, as public token
/// services do, so that a client that is not logged in hears "denied" from the registry, an
/// answer it does not retry. Refusing the token itself made dockerd retry the push for a minute
/// before it gave up. Wrong credentials are still refused here with 401.
/// </remarks>
internal static class TokenRoutes
{
    public static async Task HandleAsync(HttpContext http, RegistryServices services)
    {
        if (services.Auth is not { } authority)
        {
            await Responses.NotFoundAsync(http);
            return;
        }
        try
        {
            string? user, password;
            IEnumerable<string?> scopes;
            var oauth = HttpMethods.IsPost(http.Request.Method);
            if (oauth)
            {
                if (!http.Request.HasFormContentType)
                {
                    throw new DistributionException(DistributionErrorCode.Unsupported, "POST a form: grant_type=password, username, password, scope", status: 400);
                }
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                if (form["grant_type"].ToString() != "password")
                {
                    // Refresh tokens are never issued here, so a refresh_token grant has nothing to redeem.
                    throw new DistributionException(DistributionErrorCode.Unsupported, $"unsupported grant_type '{form["grant_type"]}' (only password)", status: 400);
                }
                (user, password) = (form["username"].ToString(), form["password"].ToString());
                scopes = form["scope"];
            }
            else if (HttpMethods.IsGet(http.Request.Method))
            {
                if (http.Request.Headers.Authorization.FirstOrDefault() is not { } authorization)
                {
                    await WriteTokenAsync(http, authority, Identity.AnonymousUser, [], oauth: false);
                    return;
                }
                (user, password) = RegistryAuthority.TryBasic(authorization);
                scopes = http.Request.Query["scope"];
            }
            else
            {
                throw new DistributionException(DistributionErrorCode.Unsupported, "the token endpoint takes GET or POST");
            }
            if (user is not { Length: > 0 } || password is null || authority.Authenticate(user, password) is null)
            {
                // Basic here, not Bearer: this is where credentials are exchanged for a token.
                http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{RegistryAuthority.ServiceName}\"";
                throw new DistributionException(DistributionErrorCode.Unauthorized,
                    user is { Length: > 0 } ? "incorrect username or password" : "authentication required");
            }
            await WriteTokenAsync(http, authority, user, authority.Access.Grant(user, AccessScope.ParseAll(scopes)), oauth);
        }
        catch (DistributionException error) when (!http.Response.HasStarted)
        {
            await Responses.WriteErrorAsync(http, error);
        }
    }

    private static Task WriteTokenAsync(HttpContext http, RegistryAuthority authority, string user, IReadOnlyList<AccessScope> granted, bool oauth)
    {
        var (token, issuedAt) = authority.Tokens.Issue(user, granted);
        http.Response.Headers.CacheControl = "no-store";
        var body = Responses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("token", token);
            writer.WriteString("access_token", token);
            writer.WriteNumber("expires_in", (int)authority.Tokens.Lifetime.TotalSeconds);
            writer.WriteString("issued_at", issuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            if (oauth) { writer.WriteString("scope", string.Join(' ', granted)); }
            writer.WriteEndObject();
        });
        return Responses.WriteBodyAsync(http, "application/json", body);
    }
}
