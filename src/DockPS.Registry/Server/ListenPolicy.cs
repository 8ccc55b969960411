using System.Net;

namespace DockPS.Registry.Server;

/// <summary>Where the registry may listen: one rule, checked by the server and by Start-Registry before it starts one.</summary>
public static class ListenPolicy
{
    /// <summary>
    /// Throws unless <paramref name="address"/> is loopback or the registry serves TLS: without
    /// TLS, passwords, tokens and content would cross the network in clear.
    /// </summary>
    public static void Check(IPAddress address, bool tls)
    {
        if (!tls && !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"refusing to listen on {address} without TLS: plain HTTP is for loopback addresses only (give a certificate and key)");
        }
    }
}
