using System.Diagnostics;
using System.Net;
using DockPS.Registry.Tests.Infrastructure;
using DockPS.RegistryServer.Hosting;
using Microsoft.AspNetCore.Builder;

namespace DockPS.RegistryServer.Tests.Infrastructure;

/// <summary>A registry the suites run against: ours or the reference, on 127.0.0.1.</summary>
public abstract class RegistryTarget : IDisposable
{
    /// <summary><c>127.0.0.1:port</c>.</summary>
    public abstract string Host { get; }

    /// <summary>The folder everything the registry stores lives under.</summary>
    public abstract string StorageRoot { get; }

    /// <summary>True for Debian's distribution 2.8.2.</summary>
    public abstract bool IsReference { get; }

    /// <summary>A client that follows no redirects, so every status is seen as sent.</summary>
    /// <remarks>
    /// It accepts every manifest type, as real clients do: the spec says clients SHOULD, and
    /// without it 2.8.2 hides OCI manifests (404) and tries to convert Docker ones to schema 1 (400).
    /// </remarks>
    public HttpClient NewClient()
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{Host}"),
            Timeout = TimeSpan.FromMinutes(2),
        };
        foreach (var type in DockPS.Registry.Client.MediaTypes.AllManifests) { http.DefaultRequestHeaders.Accept.ParseAdd(type); }
        return http;
    }

    public abstract void Dispose();
}

/// <summary>How an <see cref="OurRegistry"/> is served beyond the defaults: users, an access list, TLS (files in PEM).</summary>
public sealed record RegistrySetup(string? Htpasswd = null, string? Access = null, string? TlsCertificate = null, string? TlsKey = null)
{
    /// <summary>The same as dockps-registry flags.</summary>
    public IEnumerable<string> Flags()
    {
        if (Htpasswd is not null) { yield return "--htpasswd"; yield return Htpasswd; }
        if (Access is not null) { yield return "--access"; yield return Access; }
        if (TlsCertificate is not null) { yield return "--tls-cert"; yield return TlsCertificate; }
        if (TlsKey is not null) { yield return "--tls-key"; yield return TlsKey; }
    }
}

/// <summary>
/// Our registry. By default the host runs in this process on a free loopback port over a temp
/// root (the same <see cref="RegistryHost"/> the exe runs); with <c>DOCKPS_REGISTRY</c> naming
/// the built exe (the build's test task sets it) the shipped binary is started instead.
/// </summary>
public sealed class OurRegistry : RegistryTarget
{
    private readonly WebApplication? _app;
    private readonly Process? _process;

    public OurRegistry() : this(null)
    {
    }

    internal OurRegistry(RegistrySetup? setup)
    {
        setup ??= new RegistrySetup();
        StorageRoot = Directory.CreateTempSubdirectory("dockps-registry-ours-").FullName;
        var exe = Environment.GetEnvironmentVariable("DOCKPS_REGISTRY");
        if (!string.IsNullOrEmpty(exe) && File.Exists(exe))
        {
            _process = Process.Start(new ProcessStartInfo(exe, ["serve", "--listen", "127.0.0.1:0", "--root", StorageRoot, .. setup.Flags()])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            // The exe names its bound address as the last word of its first stderr line.
            var line = _process.StandardError.ReadLine() ?? throw new InvalidOperationException("dockps-registry exited at start");
            Host = new Uri(line[(line.LastIndexOf(' ') + 1)..]).Authority;
            _process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        }
        else
        {
            _app = RegistryHost.Build(new RegistryHostOptions(new IPEndPoint(IPAddress.Loopback, 0), StorageRoot,
                setup.Htpasswd, setup.Access, setup.TlsCertificate, setup.TlsKey));
            _app.StartAsync().GetAwaiter().GetResult();
            Host = new Uri(RegistryHost.BoundAddress(_app)).Authority;
        }
    }

    public override string Host { get; }

    public override string StorageRoot { get; }

    public override bool IsReference => false;

    public override void Dispose()
    {
        if (_app is not null) { _app.StopAsync().GetAwaiter().GetResult(); _app.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        if (_process is not null)
        {
            // By PID: the Process object is exactly the registry this fixture started.
            if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(10_000); }
            _process.Dispose();
        }
        Directory.Delete(StorageRoot, recursive: true);
    }
}

/// <summary>Debian's docker-registry (distribution 2.8.2) with deletes enabled.</summary>
public sealed class ReferenceRegistry : RegistryTarget
{
    private readonly RegistryProcess _process = RegistryProcess.Start();

    public override string Host => _process.Host;

    public override string StorageRoot => Path.Combine(_process.Root, "storage");

    public override bool IsReference => true;

    public override void Dispose() => _process.Dispose();
}
