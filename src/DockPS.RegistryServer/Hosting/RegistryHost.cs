using System.Net;
using DockPS.Registry.Server;
using DockPS.RegistryServer.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DockPS.RegistryServer.Hosting;

/// <summary>Builds the Kestrel host. The exe runs it; tests start it in process on a loopback port.</summary>
internal static class RegistryHost
{
    /// <summary>
    /// A host for <paramref name="options"/>. Refuses a non-loopback address: without TLS, only
    /// this machine may reach the registry (credentials and content would cross the network in clear).
    /// </summary>
    public static WebApplication Build(RegistryHostOptions options)
    {
        if (!IPAddress.IsLoopback(options.Listen.Address))
        {
            throw new ArgumentException($"refusing to listen on {options.Listen}: plain HTTP is for loopback addresses only (TLS is not supported yet)");
        }
        var storage = new RegistryStorage(options.Root);
        var services = new RegistryServices(storage, new UploadSessions(storage));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Blobs are as large as layers; manifests are limited where they are read.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(30));
            kestrel.Listen(options.Listen);
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
        app.Map("/v2", dispatch);
        app.Map("/v2/{**path}", dispatch);
        return app;
    }

    /// <summary>The address Kestrel bound (the real port when 0 was asked for).</summary>
    public static string BoundAddress(WebApplication app) =>
        app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("the registry is not listening");
}
