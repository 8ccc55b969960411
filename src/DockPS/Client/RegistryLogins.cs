using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using DockPS.Registry.Client.Auth;

namespace DockPS.Client;

/// <summary>
/// Where the module keeps registry logins: per PowerShell session in memory (Connect-Registry
/// -Scope Session), and in the docker config.json (<c>$env:DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>) that <c>docker login</c> writes and dockpsd reads. The session
/// login wins, as the more specific one.
/// </summary>
public static class RegistryLogins
{
    private static readonly ConditionalWeakTable<Runspace, InMemoryCredentialStore> Sessions = new();
    private static readonly InMemoryCredentialStore NoRunspace = new();

    /// <summary>This session's logins (the calling thread's runspace); gone when the session ends.</summary>
    public static InMemoryCredentialStore Session =>
        Runspace.DefaultRunspace is { } runspace ? Sessions.GetValue(runspace, _ => new InMemoryCredentialStore()) : NoRunspace;

    /// <summary>The docker config.json as the environment names it now ($env:DOCKER_CONFIG is read on every call).</summary>
    public static DockerConfigCredentialStore ConfigFile => new();

    /// <summary>
    /// The stored login for a registry and where it came from ("this session" or the file's path),
    /// or null. Throws <see cref="InvalidDataException"/> for an unreadable config.json.
    /// </summary>
    public static (RegistryCredential Credential, string Source)? Find(string registry)
    {
        if (Session.GetAsync(registry).GetAwaiter().GetResult() is { } session) { return (session, "this session"); }
        var file = ConfigFile;
        return file.GetAsync(registry).GetAwaiter().GetResult() is { } stored ? (stored, file.Path) : null;
    }

    /// <summary>
    /// The stored login a cmdlet uses for <paramref name="registry"/> when it was given no
    /// credential, or null. Says on the verbose stream which login it took; an unreadable
    /// config.json is a warning and no login, as the docker CLI treats it. Call it on the
    /// pipeline thread (it writes to the cmdlet's streams).
    /// </summary>
    public static RegistryCredential? FindFor(Cmdlet cmdlet, string registry)
    {
        try
        {
            if (Find(registry) is not ({ } stored, var source)) { return null; }
            cmdlet.WriteVerbose($"Using the stored login for {registry} ({stored.Describe()}, from {source}).");
            return stored;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            cmdlet.WriteWarning($"The stored registry logins could not be read: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// "host[:port]" of what a user typed: a scheme and path are dropped ("https://Reg:5000/v2/" →
    /// "reg:5000"), as docker login does. Throws <see cref="ArgumentException"/> for anything else.
    /// </summary>
    public static string HostOf(string registry)
    {
        var host = DockerConfigCredentialStore.NormalizeKey(registry ?? "");
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '@' or '?' or '#')
            || !Uri.TryCreate($"http://{host}/", UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase)
                && !string.Equals($"{uri.Host}:{uri.Port}", host, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{registry}' is not a registry: give host[:port], e.g. localhost:5000");
        }
        return host;
    }
}
