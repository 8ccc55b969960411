using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DockPS.Registry.Server.Auth;
using DockPS.RegistryServer.Tests.Infrastructure;

namespace DockPS.RegistryServer.Tests.Auth;

/// <summary>
/// Users and an access list for the auth suites: alice may do everything, reader may only pull,
/// bob may push under team/ only. The files live outside the registry root.
/// </summary>
public sealed class AuthFiles : IDisposable
{
    public const string Alice = "alice", AlicePassword = "wonder land:42";
    public const string Reader = "reader", ReaderPassword = "r3ad-only";
    public const string Bob = "bob", BobPassword = "b0b";

    public AuthFiles(bool withAccessList = true)
    {
        Folder = Directory.CreateTempSubdirectory("dockps-registry-auth-").FullName;
        Htpasswd = Path.Combine(Folder, "htpasswd");
        HtpasswdFile.SetUser(Htpasswd, Alice, AlicePassword);
        HtpasswdFile.SetUser(Htpasswd, Reader, ReaderPassword);
        HtpasswdFile.SetUser(Htpasswd, Bob, BobPassword);
        if (withAccessList)
        {
            Access = Path.Combine(Folder, "access");
            File.WriteAllText(Access, """
                # user   repositories   actions
                alice    *              delete
                reader   *              pull
                bob      team/*         push
                """);
        }
    }

    public string Folder { get; }

    public string Htpasswd { get; }

    public string? Access { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>Our registry with <see cref="AuthFiles"/>: plain HTTP on loopback.</summary>
public sealed class AuthRegistry : IDisposable
{
    private readonly AuthFiles _files = new();

    public AuthRegistry() => Registry = new OurRegistry(new RegistrySetup(_files.Htpasswd, _files.Access));

    public OurRegistry Registry { get; }

    public void Dispose()
    {
        Registry.Dispose();
        _files.Dispose();
    }
}

/// <summary>Token-flow steps as a client takes them, with plain HttpClient calls.</summary>
public static class TokenFlow
{
    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>GET /auth/token with Basic credentials and scopes.</summary>
    public static async Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, string? user, string? password, params string[] scopes)
    {
        var query = "service=dockps-registry" + string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/token?" + query);
        if (user is not null) { request.Headers.Authorization = Basic(user, password!); }
        return await http.SendAsync(request);
    }

    /// <summary>A token, asserting the endpoint gave one.</summary>
    public static Task<string> TokenAsync(HttpClient http, string user, string password, params string[] scopes) =>
        ReadTokenAsync(RequestTokenAsync(http, user, password, scopes));

    /// <summary>The token a client without credentials gets, asserting the endpoint gave one.</summary>
    public static Task<string> AnonymousTokenAsync(HttpClient http, params string[] scopes) =>
        ReadTokenAsync(RequestTokenAsync(http, null, null, scopes));

    private static async Task<string> ReadTokenAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;
        Assert.Equal(token, json.RootElement.GetProperty("access_token").GetString());
        Assert.True(json.RootElement.GetProperty("expires_in").GetInt32() >= 60, "the token specification's minimum lifetime");
        return token;
    }

    /// <summary>The <c>access</c> claim of a token, as <c>type:name:actions</c> strings.</summary>
    public static IReadOnlyList<string> AccessOf(string token)
    {
        var payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]);
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("access").EnumerateArray()
            .Select(a => $"{a.GetProperty("type").GetString()}:{a.GetProperty("name").GetString()}:" +
                         string.Join(',', a.GetProperty("actions").EnumerateArray().Select(x => x.GetString())))
            .ToList();
    }

    /// <summary>A client sending <paramref name="authorization"/> on every request.</summary>
    public static HttpClient With(RegistryTarget target, AuthenticationHeaderValue authorization)
    {
        var http = target.NewClient();
        http.DefaultRequestHeaders.Authorization = authorization;
        return http;
    }

    public static HttpClient WithToken(RegistryTarget target, string token) => With(target, new AuthenticationHeaderValue("Bearer", token));
}
