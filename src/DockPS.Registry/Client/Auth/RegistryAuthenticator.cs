using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DockPS.Registry.Client.Auth;

/// <summary>
/// Answers a registry's <c>WWW-Authenticate</c> challenges for one <see cref="RegistryClient"/>:
/// Basic with stored credentials, or Bearer tokens from the challenge's realm, cached per scope set
/// until they expire. Once a registry has challenged, later requests carry credentials up front,
/// so parallel layer transfers do not each pay a 401 round trip. Safe for concurrent use.
/// </summary>
internal sealed class RegistryAuthenticator(string registry, HttpClient http, ICredentialStore? store, RegistryCredential? explicitCredential)
{
    // Tokens are renewed this long before the service says they expire, so a request never leaves
    // with a token that lapses in flight.
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(10);
    // The token specification's default when a response has no expires_in.
    private const int DefaultTokenSeconds = 60;
    private const int MaxTokenResponseBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private volatile AuthChallenge? _challenge;

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    /// <summary>
    /// The Authorization header to send up front for <paramref name="scopes"/>, or null while the
    /// registry has not challenged (or challenged for Basic and there are no credentials).
    /// </summary>
    public async ValueTask<AuthenticationHeaderValue?> GetHeaderAsync(IReadOnlyList<string> scopes, CancellationToken ct)
    {
        switch (_challenge)
        {
            case { IsBearer: true } bearer:
                var key = ScopeKey(scopes);
                if (_tokens.TryGetValue(key, out var cached) && cached.RenewAt > DateTimeOffset.UtcNow)
                {
                    return new AuthenticationHeaderValue(AuthChallenge.BearerScheme, cached.Token);
                }
                return await FetchTokenAsync(bearer, scopes, ct);
            case { IsBasic: true }:
                return await GetCredentialAsync(ct) is { Password: not null } credential ? Basic(credential) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// Learns from a 401 and returns the header to retry with. A Bearer token that was just rejected
    /// is dropped and a new one fetched (the registry re-challenged); Basic needs credentials.
    /// Throws <see cref="RegistryAuthException"/> when there is nothing to retry with.
    /// </summary>
    public async Task<AuthenticationHeaderValue> AnswerChallengeAsync(HttpResponseMessage unauthorized, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var challenge = AuthChallenge.Select(unauthorized.Headers.WwwAuthenticate)
            ?? throw new RegistryAuthException($"registry {registry} refused the request (401) without a Basic or Bearer challenge");
        _challenge = challenge;
        if (challenge.IsBearer)
        {
            _tokens.TryRemove(ScopeKey(scopes), out _);
            return await FetchTokenAsync(challenge, scopes, ct, challenge.Scope);
        }
        var credential = await GetCredentialAsync(ct);
        if (credential is not { Password: not null })
        {
            throw new RegistryAuthException(credential is null
                ? $"registry {registry} requires authentication and no credentials are stored for it"
                : $"registry {registry} asks for a password; {credential.Describe()} has only an identity token");
        }
        return Basic(credential);
    }

    /// <summary>The exception for a request the registry refused even with the credentials just obtained.</summary>
    public async Task<RegistryAuthException> RejectedAsync(IReadOnlyList<string> scopes, IReadOnlyList<RegistryError> errors, CancellationToken ct)
    {
        var credential = await GetCredentialAsync(ct);
        var who = credential?.Describe() ?? "anonymous access";
        var what = scopes.Count > 0 ? string.Join(" ", scopes) : "login";
        var message = _challenge is { IsBasic: true }
            ? $"registry {registry} rejected the credentials of {who}"
            : $"registry {registry} refused the token issued to {who} for {what}";
        return new RegistryAuthException(message, HttpStatusCode.Unauthorized, errors);
    }

    private async Task<AuthenticationHeaderValue> FetchTokenAsync(AuthChallenge challenge, IReadOnlyList<string> scopes, CancellationToken ct, string? challengeScope = null)
    {
        if (challenge.Realm is not { Length: > 0 } realm || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryAuthException($"registry {registry} sent a Bearer challenge without a usable realm");
        }
        // The scopes this operation needs, plus the one the registry named (the two differ when an
        // operation touches a second repository, e.g. a cross-repository mount).
        var requested = scopes.Concat(challengeScope?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])
            .Distinct(StringComparer.Ordinal).ToList();
        var credential = await GetCredentialAsync(ct);

        using var request = credential?.IdentityToken is { } refreshToken
            ? RefreshTokenRequest(realmUri, challenge.Service, requested, refreshToken)
            : GetTokenRequest(realmUri, challenge.Service, requested, credential);
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct); }
        catch (HttpRequestException e)
        {
            throw new RegistryAuthException($"cannot reach the token service of registry {registry} ({realmUri.Authority}): {e.Message}", null, null, e);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new RegistryAuthException(credential is null
                    ? $"the token service of registry {registry} refused anonymous access to {string.Join(" ", requested)}"
                    : $"the token service of registry {registry} rejected the credentials of {credential.Describe()}", response.StatusCode);
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryAuthException($"the token service of registry {registry} answered {(int)response.StatusCode} {response.ReasonPhrase}", response.StatusCode);
            }
            var body = await HttpBodies.ReadLimitedAsync(response.Content, MaxTokenResponseBytes, ct)
                ?? throw new RegistryAuthException($"the token service of registry {registry} sent a response over {MaxTokenResponseBytes} bytes");
            TokenResponse? parsed;
            try { parsed = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse); }
            catch (JsonException e) { throw new RegistryAuthException($"the token service of registry {registry} sent invalid JSON", response.StatusCode, null, e); }
            var token = parsed?.Token is { Length: > 0 } t ? t : parsed?.AccessToken;
            if (token is not { Length: > 0 })
            {
                throw new RegistryAuthException($"the token service of registry {registry} sent no token", response.StatusCode);
            }
            var lifetime = TimeSpan.FromSeconds(parsed!.ExpiresIn is > 0 and var s ? s : DefaultTokenSeconds);
            _tokens[ScopeKey(scopes)] = new CachedToken(token, DateTimeOffset.UtcNow + lifetime - (lifetime > 2 * ExpirySkew ? ExpirySkew : TimeSpan.Zero));
            return new AuthenticationHeaderValue(AuthChallenge.BearerScheme, token);
        }
    }

    private static HttpRequestMessage GetTokenRequest(Uri realm, string? service, List<string> scopes, RegistryCredential? credential)
    {
        var query = new StringBuilder(realm.Query.TrimStart('?'));
        Append(query, "service", service);
        foreach (var scope in scopes) { Append(query, "scope", scope); }
        var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
        if (credential is { Password: not null }) { request.Headers.Authorization = Basic(credential); }
        return request;
    }

    // Docker's OAuth2 flow for identity tokens: a refresh_token grant posted as a form.
    private static HttpRequestMessage RefreshTokenRequest(Uri realm, string? service, List<string> scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", "dockps"),
            new("scope", string.Join(" ", scopes)),
        };
        if (service is not null) { form.Add(new("service", service)); }
        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static void Append(StringBuilder query, string name, string? value)
    {
        if (value is null) { return; }
        if (query.Length > 0) { query.Append('&'); }
        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new(AuthChallenge.BasicScheme, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    private async ValueTask<RegistryCredential?> GetCredentialAsync(CancellationToken ct) =>
        explicitCredential ?? (store is null ? null : await store.GetAsync(registry, ct));

    private static string ScopeKey(IReadOnlyList<string> scopes) => string.Join(' ', scopes.Order(StringComparer.Ordinal));
}
