using System.Net;

namespace DockPS.RegistryServer.Hosting;

/// <summary>How a registry is served: where it listens and stores, who may use it, and its TLS certificate.</summary>
/// <param name="Listen">The address and port.</param>
/// <param name="Root">The storage root.</param>
/// <param name="Htpasswd">The users file; null serves everyone without authentication.</param>
/// <param name="Access">The access list file; null lets every user do everything.</param>
/// <param name="TlsCertificate">A PEM certificate (chain); with <paramref name="TlsKey"/> the registry speaks HTTPS only.</param>
/// <param name="TlsKey">The certificate's PEM private key.</param>
internal sealed record RegistryHostOptions(
    IPEndPoint Listen, string Root, string? Htpasswd = null, string? Access = null, string? TlsCertificate = null, string? TlsKey = null)
{
    /// <summary>True when the registry serves HTTPS.</summary>
    public bool Tls => TlsCertificate is not null;
}
