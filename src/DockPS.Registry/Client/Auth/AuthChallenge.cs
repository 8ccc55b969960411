using System.Net.Http.Headers;
using System.Text;

namespace DockPS.Registry.Client.Auth;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): a scheme and its parameters,
/// e.g. <c>Bearer realm="…",service="…",scope="repository:app:pull"</c> or <c>Basic realm="…"</c>.
/// </summary>
public sealed class AuthChallenge
{
    /// <summary>The Basic scheme.</summary>
    public const string BasicScheme = "Basic";

    /// <summary>The Bearer (token) scheme.</summary>
    public const string BearerScheme = "Bearer";

    private AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>The scheme, as sent (compare case-insensitively).</summary>
    public string Scheme { get; }

    /// <summary>The auth-params, keys case-insensitive, values unquoted.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>True for the Bearer scheme.</summary>
    public bool IsBearer => Scheme.Equals(BearerScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the Basic scheme.</summary>
    public bool IsBasic => Scheme.Equals(BasicScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>realm</c> parameter: for Bearer, the token service URL.</summary>
    public string? Realm => Parameters.GetValueOrDefault("realm");

    /// <summary>The <c>service</c> parameter a token request must repeat.</summary>
    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>The <c>scope</c> parameter: the access the failed request needed.</summary>
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>Parses one challenge: a scheme, then its parameters (quoted strings may hold commas).</summary>
    public static AuthChallenge Parse(string scheme, string? parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = parameters ?? "";
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) { i++; }
            var keyStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') { i++; }
            var key = text[keyStart..i].Trim();
            if (i >= text.Length || text[i] != '=') { continue; } // a token68 or stray word: not a parameter
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) { i++; }
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var builder = new StringBuilder();
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) { i++; }
                    builder.Append(text[i]);
                }
                i++; // closing quote
                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',') { i++; }
                value = text[valueStart..i].Trim();
            }
            if (key.Length > 0) { values[key] = value; }
        }
        return new AuthChallenge(scheme, values);
    }

    /// <summary>
    /// The challenge to answer among those a 401 carried: Bearer when offered (it can carry scope),
    /// else Basic, else null when the response offers neither.
    /// </summary>
    public static AuthChallenge? Select(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        var challenges = headers.Select(h => Parse(h.Scheme, h.Parameter)).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>The scheme and parameter names (not values: a realm may be long, and none is needed to diagnose).</summary>
    public override string ToString() => $"{Scheme} ({string.Join(", ", Parameters.Keys)})";
}
