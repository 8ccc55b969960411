using System.Diagnostics;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Registry.Tests.Infrastructure;

/// <summary>A docker-registry without authentication, shared by the tests of a class.</summary>
public class PlainRegistryFixture : IDisposable
{
    public PlainRegistryFixture() => Registry = RegistryProcess.Start();

    protected PlainRegistryFixture(RegistryProcess registry) => Registry = registry;

    public RegistryProcess Registry { get; }

    public RegistryClient NewClient(RegistryClientOptions? options = null) => new(Registry.Host, options);

    public virtual void Dispose() => Registry.Dispose();
}

/// <summary>A docker-registry with htpasswd (bcrypt) basic auth for <see cref="User"/>/<see cref="Password"/>.</summary>
public sealed class BasicAuthRegistryFixture() : PlainRegistryFixture(RegistryProcess.Start(root =>
{
    var htpasswd = Path.Combine(root, "htpasswd");
    File.WriteAllText(htpasswd, Htpasswd(User, Password));
    return $"  htpasswd:\n    realm: dockps-test\n    path: {htpasswd}\n";
}))
{
    public const string User = "alice";
    public const string Password = "s3cret-Pa55word";

    public RegistryClient NewClient(string user, string password) =>
        new(Registry.Host, new RegistryClientOptions { Credential = new RegistryCredential(user, password) });

    private static string Htpasswd(string user, string password)
    {
        using var process = Process.Start(new ProcessStartInfo("htpasswd", ["-Bbn", user, password])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("htpasswd (apache2-utils) is missing");
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? line + "\n" : throw new InvalidOperationException("htpasswd failed");
    }
}

/// <summary>A docker-registry with token auth backed by the test's own <see cref="TokenIssuer"/>.</summary>
public sealed class TokenRegistryFixture : PlainRegistryFixture
{
    public const string User = "bob";
    public const string Password = "t0ken-Pa55word";

    public TokenRegistryFixture() : this(new TokenIssuer(new Dictionary<string, string> { [User] = Password })) { }

    private TokenRegistryFixture(TokenIssuer issuer) : base(RegistryProcess.Start(root =>
    {
        var bundle = Path.Combine(root, "issuer.pem");
        File.WriteAllText(bundle, issuer.CertificatePem);
        return $"  token:\n    realm: {issuer.Realm}\n    service: {TokenIssuer.Service}\n    issuer: {TokenIssuer.Issuer}\n    rootcertbundle: {bundle}\n";
    }))
    {
        Issuer = issuer;
    }

    public TokenIssuer Issuer { get; }

    public RegistryClient NewClient(string user, string password) =>
        new(Registry.Host, new RegistryClientOptions { Credential = new RegistryCredential(user, password) });

    public override void Dispose()
    {
        base.Dispose();
        Issuer.Dispose();
    }
}
