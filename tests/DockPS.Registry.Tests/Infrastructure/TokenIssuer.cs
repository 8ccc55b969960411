using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace DockPS.Registry.Tests.Infrastructure;

/// <summary>
/// A Docker token service for the tests: issues ES256 JWTs in the shape distribution 2.8 verifies
/// (iss, aud = service, exp/nbf, an <c>access</c> claim; an <c>x5c</c> header carrying a self-signed
/// certificate that the registry trusts through <c>rootcertbundle</c>). Known users get the actions
/// they ask for; anonymous callers get pull only.
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    public const string Service = "dockps-test-registry";
    public const string Issuer = "dockps-test-issuer";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly LoopbackHttpServer _server;
    private readonly Dictionary<string, string> _users;
    private readonly List<string> _scopesAsked = [];

    public TokenIssuer(IReadOnlyDictionary<string, string> users)
    {
        _users = new Dictionary<string, string>(users);
        var request = new CertificateRequest("CN=" + Issuer, _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _server = new LoopbackHttpServer(Handle);
    }

    /// <summary>The realm URL the registry sends in its Bearer challenge.</summary>
    public string Realm => $"http://{_server.Host}/token";

    /// <summary>PEM of the signing certificate, for the registry's rootcertbundle.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    public int TokensIssued => _server.RequestCount;

    /// <summary>The scopes of every token request so far, in order.</summary>
    public IReadOnlyList<string> ScopesAsked { get { lock (_scopesAsked) { return _scopesAsked.ToList(); } } }

    /// <summary>Seconds a token is valid for (its exp claim).</summary>
    public int TokenLifetime { get; set; } = 300;

    /// <summary>The expires_in reported; lying (above <see cref="TokenLifetime"/>) makes clients hold stale tokens.</summary>
    public int? ReportedExpiresIn { get; set; }

    /// <summary>Answer with the OAuth2 field name (access_token) instead of token.</summary>
    public bool UseAccessTokenField { get; set; }

    private TestResponse Handle(TestRequest request)
    {
        var user = "";
        if (request.Headers.TryGetValue("Authorization", out var authorization))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..])).Split(':', 2);
            if (!_users.TryGetValue(pair[0], out var password) || password != pair[1])
            {
                return TestResponse.Json(401, """{"details":"invalid credentials"}""");
            }
            user = pair[0];
        }
        if (request.Query("service").SingleOrDefault() != Service) { return TestResponse.Json(400, """{"details":"unknown service"}"""); }
        var scopes = request.Query("scope");
        lock (_scopesAsked) { _scopesAsked.Add(string.Join(" ", scopes)); }

        var access = new JsonArray();
        foreach (var scope in scopes.SelectMany(s => s.Split(' ')))
        {
            var first = scope.IndexOf(':');
            var last = scope.LastIndexOf(':');
            var actions = scope[(last + 1)..].Split(',').Where(a => user != "" || a == "pull");
            access.Add(new JsonObject
            {
                ["type"] = scope[..first],
                ["name"] = scope[(first + 1)..last],
                ["actions"] = new JsonArray(actions.Select(a => (JsonNode)a).ToArray()),
            });
        }
        var token = Sign(user, access);
        var field = UseAccessTokenField ? "access_token" : "token";
        var body = new JsonObject
        {
            [field] = token,
            ["expires_in"] = ReportedExpiresIn ?? TokenLifetime,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        return TestResponse.Json(200, body.ToJsonString());
    }

    private string Sign(string subject, JsonArray access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "ES256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now + TokenLifetime,
            ["nbf"] = now - 5,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        // JWS ES256 signatures are r||s (IEEE P1363), .NET's default format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _server.Dispose();
        _certificate.Dispose();
        _key.Dispose();
    }
}
