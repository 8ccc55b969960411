using System.Net;
using System.Net.Sockets;

namespace DockPS.Daemon.Hosting;

/// <summary>One address the daemon listens on: a Unix socket path or a loopback TCP endpoint.</summary>
public abstract record ListenAddress
{
    /// <summary>A Unix domain socket.</summary>
    public sealed record Unix(string Path) : ListenAddress
    {
        public override string ToString() => "unix://" + Path;
    }

    /// <summary>A TCP endpoint; loopback only until TLS is supported.</summary>
    public sealed record Tcp(IPEndPoint EndPoint) : ListenAddress
    {
        public override string ToString() => "tcp://" + EndPoint;
    }

    /// <summary>Parses <c>unix:///path</c> or <c>tcp://127.0.0.1:PORT</c> (also <c>[::1]</c> and <c>localhost</c>).</summary>
    /// <exception cref="ArgumentException">Another scheme, a relative path, or a non-loopback address.</exception>
    public static ListenAddress Parse(string address)
    {
        if (address.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = address["unix://".Length..];
            if (!System.IO.Path.IsPathRooted(path)) { throw new ArgumentException($"{address}: a unix socket address needs an absolute path (unix:///path)"); }
            return new Unix(System.IO.Path.GetFullPath(path));
        }
        if (address.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var rest = address["tcp://".Length..].TrimEnd('/');
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"{address}: a tcp address needs a host and a port (tcp://127.0.0.1:2375)");
            }
            var host = rest[..colon].Trim('[', ']');
            var ip = host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(host, out var parsed) ? parsed
                : throw new ArgumentException($"{address}: '{host}' is not an IP address");
            if (!IPAddress.IsLoopback(ip))
            {
                throw new ArgumentException($"{address}: dockpsd listens on TCP only at loopback addresses (127.0.0.0/8, ::1) until TLS is supported");
            }
            return new Tcp(new IPEndPoint(ip, port));
        }
        throw new ArgumentException($"{address}: unsupported address; use unix:///path or tcp://127.0.0.1:PORT");
    }

    /// <summary>
    /// Checks that a Unix socket path can be taken: a stale socket (no one answers) is removed,
    /// a live one or anything that is not a socket is refused — never deleted.
    /// </summary>
    /// <exception cref="IOException">The path is in use or occupied by something else.</exception>
    public static void Claim(Unix socket)
    {
        var info = new FileInfo(socket.Path);
        if (Directory.Exists(socket.Path)) { throw new IOException($"{socket}: {socket.Path} is a directory, not a socket"); }
        if (!info.Exists && info.LinkTarget is null) { return; }
        if (!FileKind.IsSocket(socket.Path))
        {
            throw new IOException($"{socket}: {socket.Path} exists and is not a socket; refusing to replace it");
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socket.Path));
            throw new IOException($"{socket}: another daemon is already listening on {socket.Path}");
        }
        catch (SocketException)
        {
            File.Delete(socket.Path); // stale: left by a daemon that was killed
        }
    }
}
