using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;
using DockPS.RegistryServer.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DockPS.RegistryServer.Hosting;

/// <summary>Builds the Kestrel host. The exe runs it; tests start it in process on a loopback port.</summary>
internal static class RegistryHost
{
    /// <summary>
    /// A host for <paramref name="options"/>. Refuses a non-loopback address without TLS
    /// (<see cref="ListenPolicy"/>); reads the certificate, users and access list before it
    /// listens, so a bad file fails the start rather than the first request.
    /// </summary>
    public static WebApplication Build(RegistryHostOptions options)
    {
        ListenPolicy.Check(options.Listen.Address, options.Tls);
        if ((options.TlsCertificate is null) != (options.TlsKey is null))
        {
            throw new ArgumentException("TLS needs both a certificate and its key");
        }
        if (options.Access is not null && options.Htpasswd is null)
        {
            throw new ArgumentException("an access list needs users: give an htpasswd file too");
        }
        var certificate = options.Tls ? LoadCertificate(options.TlsCertificate!, options.TlsKey!) : null;
        var storage = new RegistryStorage(options.Root);
        var authority = options.Htpasswd is null ? null : RegistryAuthority.Open(storage.Root, options.Htpasswd, options.Access);
        var services = new RegistryServices(storage, new UploadSessions(storage), authority);

        // Not the host's defaults: they watch the working directory recursively for
        // appsettings.json, and the storage root is often below it (every blob write woke a thread).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Blobs are as large as layers; manifests are limited where they are read.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(30));
            kestrel.Listen(options.Listen, listen =>
            {
                if (certificate is not null) { listen.UseHttps(certificate); }
            });
        });
        var app = builder.Build();
        app.Use((http, next) =>
        {
            // On every answer, as the reference does: clients use it to recognise a v2 registry.
            http.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            return next(http);
        });
        // The raw request path, not a route value: it keeps an encoded "%2F" encoded, so such a
        // name fails the name grammar instead of turning into a slash.
        RequestDelegate dispatch = http => RouteTable.DispatchAsync(http, http.Request.Path.Value!.Length > 4 ? http.Request.Path.Value[4..] : "", services);
        app.Map(AuthGate.TokenPath, http => TokenRoutes.HandleAsync(http, services));
        app.Map("/v2", dispatch);
        app.Map("/v2/{**path}", dispatch);
        return app;
    }

    private static X509Certificate2 LoadCertificate(string certificate, string key)
    {
        try { return X509Certificate2.CreateFromPemFile(certificate, key); }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"cannot use the TLS certificate {certificate} with key {key}: {e.Message}", e);
        }
    }

    /// <summary>The address Kestrel bound (the real port when 0 was asked for).</summary>
    public static string BoundAddress(WebApplication app) =>
        app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("the registry is not listening");
}
