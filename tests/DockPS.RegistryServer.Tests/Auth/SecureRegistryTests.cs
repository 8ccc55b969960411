using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DockPS.Registry.Server;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.SkopeoTests;

namespace DockPS.RegistryServer.Tests.Auth;

/// <summary>Our registry over TLS with a certificate made for 127.0.0.1 by openssl, and <see cref="AuthFiles"/> users.</summary>
public sealed class SecureRegistry : IDisposable
{
    private readonly AuthFiles _files = new();

    public SecureRegistry()
    {
        Certificate = Path.Combine(_files.Folder, "cert.pem");
        Key = Path.Combine(_files.Folder, "key.pem");
        var openssl = Process.Start(new ProcessStartInfo("openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Key, "-out", Certificate])
        { RedirectStandardError = true })!;
        var stderr = openssl.StandardError.ReadToEnd();
        openssl.WaitForExit();
        if (openssl.ExitCode != 0) { throw new InvalidOperationException("openssl could not make a test certificate: " + stderr); }
        // skopeo trusts the CAs in a folder given with --cert-dir.
        CertDir = Directory.CreateDirectory(Path.Combine(_files.Folder, "certs")).FullName;
        File.Copy(Certificate, Path.Combine(CertDir, "ca.crt"));
        Registry = new OurRegistry(new RegistrySetup(_files.Htpasswd, _files.Access, Certificate, Key));
    }

    public OurRegistry Registry { get; }

    public string Certificate { get; }

    public string Key { get; }

    public string CertDir { get; }

    public string Work => _files.Folder;

    /// <summary>An HTTPS client that trusts exactly the test certificate.</summary>
    public HttpClient NewHttpsClient()
    {
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(Certificate));
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && certificate.Thumbprint == trusted.Thumbprint),
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{Registry.Host}") };
    }

    public void Dispose()
    {
        Registry.Dispose();
        _files.Dispose();
    }
}

/// <summary>TLS and authentication together, judged by HttpClient and by skopeo with credentials.</summary>
public sealed class SecureRegistryTests(SecureRegistry fixture) : IClassFixture<SecureRegistry>
{
    [Fact]
    public async Task Over_https_the_challenge_names_an_https_token_endpoint_and_a_token_opens_the_registry()
    {
        using var https = fixture.NewHttpsClient();
        using var root = await https.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, root.StatusCode);
        Assert.StartsWith($"Bearer realm=\"https://{fixture.Registry.Host}/auth/token\"", root.Headers.WwwAuthenticate.ToString());
        var token = await TokenFlow.TokenAsync(https, AuthFiles.Alice, AuthFiles.AlicePassword);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = new("Bearer", token);
        using var authed = await https.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, authed.StatusCode);
    }

    [Fact]
    public async Task Plain_http_to_the_tls_port_is_not_served()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Registry.Host}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync("/v2/");
            Assert.False(response.Headers.Contains("Docker-Distribution-API-Version"), "a registry answer over plain HTTP");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The TLS endpoint dropped the connection: nothing was served in clear.
        }
    }

    [Fact]
    public void Plain_http_may_listen_on_loopback_only_and_tls_anywhere()
    {
        Assert.Throws<ArgumentException>(() => ListenPolicy.Check(IPAddress.Any, tls: false));
        Assert.Throws<ArgumentException>(() => ListenPolicy.Check(IPAddress.Parse("192.0.2.10"), tls: false));
        ListenPolicy.Check(IPAddress.Loopback, tls: false);
        ListenPolicy.Check(IPAddress.IPv6Loopback, tls: false);
        ListenPolicy.Check(IPAddress.Any, tls: true);
    }

    [Fact]
    public async Task Skopeo_copies_to_and_from_it_with_credentials_and_verified_tls()
    {
        var (layout, layer) = await WriteLayoutAsync(fixture.Work);
        var reference = $"docker://{fixture.Registry.Host}/secure/busybox:1";
        var alice = $"{AuthFiles.Alice}:{AuthFiles.AlicePassword}";
        await SkopeoAsync("copy", "--insecure-policy", "--dest-cert-dir", fixture.CertDir, "--dest-creds", alice, $"oci:{layout}:latest", reference);

        var back = Path.Combine(fixture.Work, "back");
        await SkopeoAsync("copy", "--insecure-policy", "--src-cert-dir", fixture.CertDir,
            "--src-creds", $"{AuthFiles.Reader}:{AuthFiles.ReaderPassword}", reference, $"oci:{back}:copy");
        AssertHoldsLayer(back, layer);
    }

    [Fact]
    public async Task Skopeo_without_credentials_or_with_read_only_ones_cannot_push_and_nothing_is_stored()
    {
        var (layout, _) = await WriteLayoutAsync(fixture.Work);
        var reference = $"docker://{fixture.Registry.Host}/secure/refused:1";
        var anonymous = await RunSkopeoAsync("copy", "--insecure-policy", "--dest-cert-dir", fixture.CertDir, $"oci:{layout}:latest", reference);
        Assert.NotEqual(0, anonymous.Exit);
        Assert.Matches("(?i)denied|forbidden", anonymous.Stderr);
        var reader = await RunSkopeoAsync("copy", "--insecure-policy", "--dest-cert-dir", fixture.CertDir,
            "--dest-creds", $"{AuthFiles.Reader}:{AuthFiles.ReaderPassword}", $"oci:{layout}:latest", reference);
        Assert.NotEqual(0, reader.Exit);
        var wrong = await RunSkopeoAsync("copy", "--insecure-policy", "--dest-cert-dir", fixture.CertDir,
            "--dest-creds", $"{AuthFiles.Alice}:wrong", $"oci:{layout}:latest", reference);
        Assert.NotEqual(0, wrong.Exit);
        Assert.False(Directory.Exists(Path.Combine(fixture.Registry.StorageRoot, "repositories", "secure", "refused")));
    }
}
