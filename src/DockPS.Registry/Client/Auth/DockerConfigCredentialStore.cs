using System.Text;
using System.Text.Json;

namespace DockPS.Registry.Client.Auth;

/// <summary>
/// Reads the <c>auths</c> section of a Docker CLI <c>config.json</c> (default
/// <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>): <c>auth</c> (base64
/// <c>user:password</c>), or <c>username</c>/<c>password</c>, and <c>identitytoken</c>. The file is
/// read on every lookup, so a <c>docker login</c> in another process is seen at once.
/// </summary>
/// <remarks>
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are external programs and are not
/// run: a registry configured only through a helper has no credentials here. Logins are written
/// by <see cref="Save"/> and removed by <see cref="Remove"/> (DockerConfigCredentialStore.Write.cs). Keys are matched
/// on <c>host[:port]</c> after dropping a scheme and path, as the Docker CLI does for the
/// <c>https://host/v1/</c> keys old logins wrote.
/// </remarks>
public sealed partial class DockerConfigCredentialStore(string? path = null) : ICredentialStore
{
    /// <summary>The file read.</summary>
    public string Path { get; } = path ?? DefaultPath();

    /// <summary><c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</summary>
    public static string DefaultPath() =>
        Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir
            ? System.IO.Path.Combine(dir, "config.json")
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json");

    /// <inheritdoc />
    public async ValueTask<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default)
    {
        DockerConfigFile? config;
        try
        {
            await using var stream = File.OpenRead(Path);
            config = await JsonSerializer.DeserializeAsync(stream, RegistryJsonContext.Default.DockerConfigFile, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            // JsonException messages give a position, never the text around it: no secret leaks.
            throw new InvalidDataException($"{Path} is not valid JSON: {e.Message}", e);
        }

        var key = NormalizeKey(registry);
        var entry = config?.Auths?.FirstOrDefault(a => string.Equals(NormalizeKey(a.Key), key, StringComparison.OrdinalIgnoreCase)).Value;
        return entry is null ? null : ToCredential(entry, Path);
    }

    /// <summary>
    /// The credential helper the Docker CLI would ask for this registry (<c>credHelpers</c>, else
    /// <c>credsStore</c>), or null. DockPS does not run helpers; callers warn that the CLI will
    /// not see an <c>auths</c> entry while a helper is configured.
    /// </summary>
    public string? HelperFor(string registry)
    {
        DockerConfigFile? config;
        try { config = JsonSerializer.Deserialize(File.ReadAllBytes(Path), RegistryJsonContext.Default.DockerConfigFile); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { return null; }
        var key = NormalizeKey(registry);
        var helper = config?.CredHelpers?.FirstOrDefault(h => string.Equals(NormalizeKey(h.Key), key, StringComparison.OrdinalIgnoreCase)).Value;
        return helper is { Length: > 0 } ? helper : config?.CredsStore is { Length: > 0 } store ? store : null;
    }

    /// <summary>
    /// <c>host[:port]</c> of a config key or registry name: <c>https://host:5000/v1/</c> → <c>host:5000</c>.
    /// </summary>
    public static string NormalizeKey(string registry)
    {
        var key = registry.Trim();
        var scheme = key.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) { key = key[(scheme + 3)..]; }
        var slash = key.IndexOf('/');
        return (slash >= 0 ? key[..slash] : key).ToLowerInvariant();
    }

    private static RegistryCredential? ToCredential(DockerConfigAuth entry, string path)
    {
        string? username = entry.Username, password = entry.Password;
        if (entry.Auth is { Length: > 0 } auth)
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth)); }
            catch (FormatException e) { throw new InvalidDataException($"an 'auth' value in {path} is not base64", e); }
            var colon = decoded.IndexOf(':');
            if (colon < 0) { throw new InvalidDataException($"an 'auth' value in {path} is not 'user:password'"); }
            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }
        if (entry.IdentityToken is { Length: > 0 } token)
        {
            return RegistryCredential.FromIdentityToken(token, username);
        }
        return username is { Length: > 0 } && password is not null ? new RegistryCredential(username, password) : null;
    }
}
