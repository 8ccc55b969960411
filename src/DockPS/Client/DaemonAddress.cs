namespace DockPS.Client;

/// <summary>
/// Which daemon a cmdlet talks to: its -HostAddress, else $env:DOCKPS_HOST, else the default
/// local socket. Addresses use Docker's forms: <c>unix:///path</c> and <c>tcp://host:port</c>.
/// </summary>
public static class DaemonAddress
{
    /// <summary>The environment variable that names the daemon, as DOCKER_HOST does for docker.</summary>
    public const string EnvironmentVariable = "DOCKPS_HOST";

    /// <summary>Where the bundled daemon listens by default.</summary>
    public const string Default = "unix:///run/dockps/dockps.sock";

    /// <summary>The address in force for an optional explicit one.</summary>
    public static string Resolve(string? explicitAddress) =>
        !string.IsNullOrWhiteSpace(explicitAddress) ? explicitAddress
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv
        : Default;

    /// <summary>The endpoint URI Docker.DotNet takes: unix:// as is, tcp:// as http://.</summary>
    /// <exception cref="ArgumentException">Not a unix:// or tcp:// address.</exception>
    public static Uri ToEndpoint(string address)
    {
        if (address.StartsWith("unix://", StringComparison.Ordinal)) { return new Uri(address); }
        if (address.StartsWith("tcp://", StringComparison.Ordinal)) { return new Uri("http://" + address["tcp://".Length..]); }
        if (address.StartsWith("http://", StringComparison.Ordinal) || address.StartsWith("npipe://", StringComparison.Ordinal)) { return new Uri(address); }
        throw new ArgumentException($"'{address}' is not a daemon address; use unix:///path or tcp://host:port");
    }

    /// <summary>The socket path of a unix:// address, else null.</summary>
    public static string? SocketPath(string address) =>
        address.StartsWith("unix://", StringComparison.Ordinal) ? address["unix://".Length..] : null;
}
