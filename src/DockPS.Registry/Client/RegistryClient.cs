using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DockPS.Registry.Client.Auth;

namespace DockPS.Registry.Client;

/// <summary>
/// A client of the OCI distribution API for one registry endpoint: manifests, blobs, uploads,
/// listings, with the WWW-Authenticate challenge flow (Basic, Bearer tokens) done transparently.
/// </summary>
/// <remarks>
/// HTTPS by default; plain HTTP for loopback hosts and for <see cref="RegistryClientOptions.InsecureRegistries"/>.
/// One instance is meant to be shared: it is safe for concurrent use, keeps a pool of HTTP/1.1
/// connections and caches tokens, and parallelism (e.g. several layers at once) is the caller's.
/// There is no overall request timeout, because a layer may take minutes: cancel with the token.
/// </remarks>
public sealed partial class RegistryClient : IDisposable
{
    private const int MaxRedirects = 5;
    private const int MaxErrorBodyBytes = 64 << 10;

    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _auth;
    private readonly RegistryClientOptions _options;

    /// <summary>Creates a client for <paramref name="registry"/> (<c>host[:port]</c>).</summary>
    /// <param name="registry">The registry host and optional port, as in an image reference.</param>
    /// <param name="options">Credentials, insecure registries, upload sizes; defaults when null.</param>
    /// <param name="handler">
    /// An HTTP handler to send through (shared pools, tests, proxies); the client does not dispose
    /// it. When null the client owns a <see cref="SocketsHttpHandler"/> that does not follow
    /// redirects itself, so the client can drop credentials when a redirect leaves the registry.
    /// </param>
    public RegistryClient(string registry, RegistryClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        if (!ImageReference.IsValidRegistry(registry))
        {
            throw new ArgumentException($"'{registry}' is not a registry host[:port]", nameof(registry));
        }
        Registry = registry;
        _options = options ?? new RegistryClientOptions();
        BaseUri = new Uri($"{(UsesPlainHttp(registry, _options.InsecureRegistries) ? "http" : "https")}://{registry}/");
        _http = new HttpClient(handler ?? CreateHandler(_options), disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        _auth = new RegistryAuthenticator(registry, _http, _options.CredentialStore, _options.Credential);
    }

    /// <summary>The registry's <c>host[:port]</c>.</summary>
    public string Registry { get; }

    /// <summary>The root every API path is resolved against (<c>https://host/</c>).</summary>
    public Uri BaseUri { get; }

    /// <summary>
    /// True when <paramref name="registry"/> is reached over HTTP: a loopback host or one matching
    /// an <paramref name="insecureRegistries"/> entry (<c>host:port</c>, <c>host</c> or a CIDR range).
    /// </summary>
    public static bool UsesPlainHttp(string registry, IEnumerable<string> insecureRegistries)
    {
        var host = HostOf(registry);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) { return true; }
        var address = IPAddress.TryParse(host, out var ip) ? ip : null;
        if (address is not null && IPAddress.IsLoopback(address)) { return true; }
        foreach (var entry in insecureRegistries)
        {
            if (entry.Equals(registry, StringComparison.OrdinalIgnoreCase) || entry.Equals(host, StringComparison.OrdinalIgnoreCase)) { return true; }
            if (address is not null && entry.Contains('/') && IPNetwork.TryParse(entry, out var network) && network.Contains(address)) { return true; }
        }
        return false;
    }

    /// <summary>
    /// Checks that the registry speaks the v2 API and that the configured credentials are accepted
    /// (what <c>docker login</c> does). Throws <see cref="RegistryAuthException"/> for missing or
    /// rejected credentials, <see cref="RegistryException"/> for anything else.
    /// </summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Api("v2/")), [], cancellationToken);
        await EnsureStatusAsync(response, cancellationToken, HttpStatusCode.OK);
    }

    /// <summary>Releases the connection pool (when the client owns its handler).</summary>
    public void Dispose() => _http.Dispose();

    private Uri Api(string relative) => new(BaseUri, relative);

    private static string Pull(string repository) => $"repository:{repository}:pull";

    private static string Push(string repository) => $"repository:{repository}:pull,push";

    /// <summary>
    /// Sends a request built by <paramref name="build"/> with the authorization the registry wants
    /// for <paramref name="scopes"/>: up front when known, else after its 401 challenge, once. The
    /// builder is called again for the retry, so bodies must be re-creatable.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var header = await _auth.GetHeaderAsync(scopes, ct);
        var response = await SendFollowingRedirectsAsync(build(), header, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized) { return response; }

        AuthenticationHeaderValue retryHeader;
        using (response)
        {
            retryHeader = await _auth.AnswerChallengeAsync(response, scopes, ct);
        }
        response = await SendFollowingRedirectsAsync(build(), retryHeader, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized) { return response; }
        using (response)
        {
            var (errors, _) = await ReadErrorsAsync(response, ct);
            throw await _auth.RejectedAsync(scopes, errors, ct);
        }
    }

    // Blob GETs may be redirected to a storage backend (signed URLs). Redirects are followed here
    // rather than by the handler so credentials meant for the registry never go to another host.
    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpRequestMessage request, AuthenticationHeaderValue? authorization, CancellationToken ct)
    {
        var origin = request.RequestUri!;
        request.Headers.Authorization = authorization;
        for (var hop = 0; ; hop++)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e)
            {
                request.Dispose();
                // The caller's upload stream failing is not a network problem: surface it as itself.
                for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
                {
                    if (inner is BlobSourceException source) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(source); }
                }
                throw new RegistryConnectionException($"registry {Registry}: {request.Method} {request.RequestUri!.AbsolutePath}: {e.Message}", e);
            }
            var location = response.Headers.Location;
            var isRedirect = response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
                or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
            if (!isRedirect || location is null || hop == MaxRedirects || (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head))
            {
                return response;
            }
            response.Dispose();
            var next = new HttpRequestMessage(request.Method, new Uri(request.RequestUri!, location));
            foreach (var h in request.Headers.Where(h => h.Key is "Accept" or "Range")) { next.Headers.TryAddWithoutValidation(h.Key, h.Value); }
            if (Uri.Compare(next.RequestUri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                next.Headers.Authorization = authorization;
            }
            request.Dispose();
            request = next;
        }
    }

    /// <summary>Disposes the response and throws the typed exception for it unless its status is expected.</summary>
    private async Task EnsureStatusAsync(HttpResponseMessage response, CancellationToken ct, params HttpStatusCode[] expected)
    {
        if (expected.Contains(response.StatusCode)) { return; }
        using (response) { throw await ErrorAsync(response, ct); }
    }

    private async Task<RegistryException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var (errors, contentType) = await ReadErrorsAsync(response, ct);
        if (errors.Count == 0 && ChallengeError(response) is { } refusal) { errors = [refusal]; }
        var request = response.RequestMessage;
        var what = $"registry {Registry}: {request?.Method} {request?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {response.ReasonPhrase}";
        var detail = errors.Count > 0 ? ": " + string.Join("; ", errors.Select(e => $"{e.Code}: {e.Message}")) : "";
        var message = what + detail;
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new RegistryNotFoundException(message, errors, contentType),
            HttpStatusCode.Unauthorized => new RegistryAuthException(message, response.StatusCode, errors),
            _ => new RegistryException(message, response.StatusCode, errors, contentType),
        };
    }

    /// <summary>
    /// The refusal a Bearer challenge's <c>error</c> names (RFC 6750), as the distribution error it
    /// stands for: a HEAD's answer has no body to say why it was refused, the challenge still does.
    /// </summary>
    private static RegistryError? ChallengeError(HttpResponseMessage response) =>
        AuthChallenge.Select(response.Headers.WwwAuthenticate)?.Parameters.GetValueOrDefault("error") switch
        {
            "insufficient_scope" => new RegistryError(RegistryErrorCodes.Denied, "requested access to the resource is denied", null),
            "invalid_token" => new RegistryError(RegistryErrorCodes.Unauthorized, "authentication required", null),
            _ => null,
        };

    private static async Task<(IReadOnlyList<RegistryError> Errors, string? ContentType)> ReadErrorsAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (response.RequestMessage?.Method == HttpMethod.Head) { return ([], contentType); }
        byte[]? body;
        try { body = await HttpBodies.ReadLimitedAsync(response.Content, MaxErrorBodyBytes, ct); }
        catch (Exception e) when (e is IOException or HttpRequestException) { return ([], contentType); }
        if (body is not { Length: > 0 }) { return ([], contentType); }
        try
        {
            var parsed = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.ErrorBody);
            IReadOnlyList<RegistryError> errors = parsed?.Errors?.Select(e => new RegistryError(
                e.Code is { Length: > 0 } code ? code.ToUpperInvariant() : RegistryErrorCodes.Unknown,
                e.Message ?? "",
                e.Detail is { ValueKind: not JsonValueKind.Null } d ? d.GetRawText() : null)).ToList() ?? [];
            return (errors, contentType);
        }
        catch (JsonException)
        {
            return ([], contentType); // not the spec's error body (a proxy page, plain text): the status says enough
        }
    }

    private static SocketsHttpHandler CreateHandler(RegistryClientOptions options) => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None, // blobs are verified byte for byte
        ConnectTimeout = options.ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5), // follow DNS changes of long-lived daemons
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        UseCookies = false,
    };

    private static string HostOf(string registry)
    {
        if (registry.StartsWith('['))
        {
            return registry[1..registry.IndexOf(']')];
        }
        var colon = registry.LastIndexOf(':');
        return colon < 0 ? registry : registry[..colon];
    }
}

/// <summary>Reading bodies with a ceiling, so a hostile server cannot make the client buffer without end.</summary>
internal static class HttpBodies
{
    /// <summary>The body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadLimitedAsync(HttpContent content, int limit, CancellationToken ct)
    {
        if (content.Headers.ContentLength > limit) { return null; }
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream(content.Headers.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[Math.Min(81920, limit + 1)];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) { return null; }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
