using System.Net;
using System.Text.Json;
using DockPS.Registry.Client;
using static DockPS.RegistryServer.Tests.Auth.TokenFlow;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests.Auth;

/// <summary>
/// Authentication and authorization as the Docker token flow and the distribution spec describe
/// them: challenges, tokens with scopes, Basic on /v2/, the access list, and refusals that store nothing.
/// </summary>
public sealed class AuthTests(AuthRegistry fixture) : IClassFixture<AuthRegistry>
{
    private readonly Infrastructure.OurRegistry _target = fixture.Registry;

    [Fact]
    public async Task Anonymous_requests_get_401_UNAUTHORIZED_with_a_bearer_challenge_naming_the_token_endpoint()
    {
        using var http = _target.NewClient();
        using var root = await http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, root.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(root));
        Assert.Equal($"Bearer realm=\"http://{_target.Host}/auth/token\",service=\"dockps-registry\"", root.Headers.WwwAuthenticate.ToString());

        using var pull = await http.GetAsync("/v2/some/repo/manifests/latest");
        Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        Assert.Contains("scope=\"repository:some/repo:pull\"", pull.Headers.WwwAuthenticate.ToString());
        using var push = await http.PostAsync("/v2/some/repo/blobs/uploads/", null);
        Assert.Contains("scope=\"repository:some/repo:pull,push\"", push.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_carries_the_granted_scopes_and_opens_the_repository_it_names()
    {
        using var http = _target.NewClient();
        var name = NewRepo("auth");
        var token = await TokenAsync(http, AuthFiles.Alice, AuthFiles.AlicePassword, $"repository:{name}:pull,push");
        Assert.Equal([$"repository:{name}:pull,push"], AccessOf(token));

        using var authed = WithToken(_target, token);
        using var root = await authed.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        var image = await PushImageAsync(authed, name);
        using var pulled = await authed.GetAsync($"/v2/{name}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(image.Manifest, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_login_token_has_no_scopes_and_is_enough_for_the_base_check_only()
    {
        using var http = _target.NewClient();
        var token = await TokenAsync(http, AuthFiles.Alice, AuthFiles.AlicePassword);
        Assert.Empty(AccessOf(token));
        using var authed = WithToken(_target, token);
        using var root = await authed.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        using var tags = await authed.GetAsync("/v2/any/repo/tags/list");
        Assert.Equal(HttpStatusCode.Forbidden, tags.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(tags));
    }

    [Fact]
    public async Task A_token_for_another_repository_is_DENIED_with_403_and_stores_nothing()
    {
        using var http = _target.NewClient();
        var mine = NewRepo("auth");
        var other = NewRepo("auth");
        using var authed = WithToken(_target, await TokenAsync(http, AuthFiles.Alice, AuthFiles.AlicePassword, $"repository:{mine}:pull,push"));

        using var start = await authed.PostAsync($"/v2/{other}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(start));
        Assert.Contains("error=\"insufficient_scope\"", start.Headers.WwwAuthenticate.ToString());
        Assert.Contains($"scope=\"repository:{other}:pull,push\"", start.Headers.WwwAuthenticate.ToString());

        var blob = RandomBytes(100);
        using var single = await authed.PostAsync($"/v2/{other}/blobs/uploads/?digest={Sha256(blob)}", Octets(blob));
        Assert.Equal(HttpStatusCode.Forbidden, single.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_target.StorageRoot, "repositories", other)));
        Assert.Empty(FilesMentioning(_target.StorageRoot, Sha256(blob)[7..]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_target.StorageRoot, "uploads")));
    }

    [Fact]
    public async Task An_unauthenticated_push_gets_401_and_stores_nothing()
    {
        using var http = _target.NewClient();
        var name = NewRepo("auth");
        var blob = RandomBytes(200);
        using var single = await http.PostAsync($"/v2/{name}/blobs/uploads/?digest={Sha256(blob)}", Octets(blob));
        Assert.Equal(HttpStatusCode.Unauthorized, single.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(single));
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (Sha256(blob), blob.Length), []);
        using var put = await PutManifestAsync(http, name, "latest", manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);

        Assert.False(Directory.Exists(Path.Combine(_target.StorageRoot, "repositories", name)));
        Assert.Empty(FilesMentioning(_target.StorageRoot, Sha256(blob)[7..]));
        Assert.Empty(FilesMentioning(_target.StorageRoot, Sha256(manifest)[7..]));
    }

    [Fact]
    public async Task A_wrong_password_gets_no_token_and_no_access()
    {
        using var http = _target.NewClient();
        using var wrong = await RequestTokenAsync(http, AuthFiles.Alice, "not her password", "repository:x/y:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(wrong));
        using var unknown = await RequestTokenAsync(http, "nobody", AuthFiles.AlicePassword, "repository:x/y:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        using var basic = With(_target, Basic(AuthFiles.Alice, "not her password"));
        using var root = await basic.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, root.StatusCode);
        Assert.StartsWith("Bearer realm=", root.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_client_without_credentials_gets_an_anonymous_token_that_opens_nothing_and_stores_nothing()
    {
        // dockerd retries a push for a minute when the token itself is refused, and gives up at
        // once on "denied": public token services answer anonymous clients this way too.
        using var http = _target.NewClient();
        var name = NewRepo("auth");
        using (var response = await RequestTokenAsync(http, null, null, $"repository:{name}:pull,push"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var token = await AnonymousTokenAsync(http, $"repository:{name}:pull,push", "registry:catalog:*");
        Assert.Empty(AccessOf(token));

        using var anonymous = WithToken(_target, token);
        using var root = await anonymous.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, root.StatusCode);
        var blob = RandomBytes(150);
        using var push = await anonymous.PostAsync($"/v2/{name}/blobs/uploads/?digest={Sha256(blob)}", Octets(blob));
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(push));
        Assert.Contains("error=\"insufficient_scope\"", push.Headers.WwwAuthenticate.ToString());
        using var pull = await anonymous.GetAsync($"/v2/{name}/tags/list");
        Assert.Equal(HttpStatusCode.Forbidden, pull.StatusCode);
        using var catalog = await anonymous.GetAsync("/v2/_catalog");
        Assert.Equal(HttpStatusCode.Forbidden, catalog.StatusCode);

        Assert.False(Directory.Exists(Path.Combine(_target.StorageRoot, "repositories", name)));
        Assert.Empty(FilesMentioning(_target.StorageRoot, Sha256(blob)[7..]));
    }

    [Fact]
    public async Task Basic_credentials_sent_directly_push_and_pull()
    {
        var name = NewRepo("auth");
        using var basic = With(_target, Basic(AuthFiles.Alice, AuthFiles.AlicePassword));
        var image = await PushImageAsync(basic, name, mediaType: MediaTypes.DockerManifest);
        using var blob = await basic.GetAsync($"/v2/{name}/blobs/{Sha256(image.Layer)}");
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(image.Layer, await blob.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_read_only_user_pulls_but_cannot_push_or_delete()
    {
        var name = NewRepo("auth");
        using (var alice = With(_target, Basic(AuthFiles.Alice, AuthFiles.AlicePassword)))
        {
            await PushImageAsync(alice, name);
        }
        using var http = _target.NewClient();
        // Asked for pull and push, granted pull: the token says what the user really has.
        var token = await TokenAsync(http, AuthFiles.Reader, AuthFiles.ReaderPassword, $"repository:{name}:pull,push");
        Assert.Equal([$"repository:{name}:pull"], AccessOf(token));
        using var reader = WithToken(_target, token);
        using var pulled = await reader.GetAsync($"/v2/{name}/manifests/latest");
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);

        var blob = RandomBytes(64);
        using var push = await reader.PostAsync($"/v2/{name}/blobs/uploads/?digest={Sha256(blob)}", Octets(blob));
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(push));
        using var delete = await reader.DeleteAsync($"/v2/{name}/manifests/latest");
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);

        using var basicReader = With(_target, Basic(AuthFiles.Reader, AuthFiles.ReaderPassword));
        using var basicPush = await basicReader.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Forbidden, basicPush.StatusCode);
        Assert.Empty(FilesMentioning(_target.StorageRoot, Sha256(blob)[7..]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_target.StorageRoot, "uploads")));
    }

    [Fact]
    public async Task A_pattern_rule_limits_a_user_to_its_repositories_and_the_catalog_shows_only_those()
    {
        var team = "team/" + NewRepo("cat").Replace('/', '-');
        var elsewhere = NewRepo("cat");
        using (var alice = With(_target, Basic(AuthFiles.Alice, AuthFiles.AlicePassword)))
        {
            await PushImageAsync(alice, elsewhere);
        }
        using var bob = With(_target, Basic(AuthFiles.Bob, AuthFiles.BobPassword));
        await PushImageAsync(bob, team);
        using var denied = await bob.GetAsync($"/v2/{elsewhere}/tags/list");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var http = _target.NewClient();
        var token = await TokenAsync(http, AuthFiles.Bob, AuthFiles.BobPassword, "registry:catalog:*", $"repository:{elsewhere}:pull");
        Assert.Equal(["registry:catalog:*"], AccessOf(token));
        using var catalog = await WithToken(_target, token).GetAsync("/v2/_catalog");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        using var json = JsonDocument.Parse(await catalog.Content.ReadAsByteArrayAsync());
        var names = json.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(team, names);
        Assert.DoesNotContain(elsewhere, names);
        Assert.All(names, n => Assert.StartsWith("team/", n));
    }

    [Fact]
    public async Task A_mount_from_a_repository_the_user_cannot_pull_falls_back_to_an_upload()
    {
        var secret = NewRepo("auth");
        Infrastructure.PushedImage image;
        using (var alice = With(_target, Basic(AuthFiles.Alice, AuthFiles.AlicePassword)))
        {
            image = await PushImageAsync(alice, secret);
        }
        using var bob = With(_target, Basic(AuthFiles.Bob, AuthFiles.BobPassword));
        var team = "team/" + NewRepo("mnt").Replace('/', '-');
        using var mount = await bob.PostAsync($"/v2/{team}/blobs/uploads/?mount={Sha256(image.Layer)}&from={secret}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        using var head = await bob.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{team}/blobs/{Sha256(image.Layer)}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var cancel = await bob.DeleteAsync(Resolve(bob, mount));
    }

    [Fact]
    public async Task The_oauth2_password_form_gets_a_token()
    {
        using var http = _target.NewClient();
        var name = NewRepo("auth");
        using var response = await http.PostAsync("/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = AuthFiles.Alice,
            ["password"] = AuthFiles.AlicePassword,
            ["service"] = "dockps-registry",
            ["client_id"] = "test",
            ["scope"] = $"repository:{name}:pull registry:catalog:*",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal([$"repository:{name}:pull", "registry:catalog:*"], AccessOf(token));

        using var refresh = await http.PostAsync("/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "made-up", ["service"] = "dockps-registry",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }

    [Fact]
    public async Task A_tampered_token_is_refused_as_invalid()
    {
        using var http = _target.NewClient();
        var name = NewRepo("auth");
        var token = await TokenAsync(http, AuthFiles.Reader, AuthFiles.ReaderPassword, $"repository:{name}:pull");
        var parts = token.Split('.');
        // The same signature over a payload that claims push: the registry must notice.
        var forged = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("\"pull\"", "\"pull\",\"push\"");
        var tampered = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged))}.{parts[2]}";
        using var client = WithToken(_target, tampered);
        using var push = await client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Contains("error=\"invalid_token\"", push.Headers.WwwAuthenticate.ToString());
    }
}
