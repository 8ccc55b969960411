using System.Collections.Concurrent;

namespace DockPS.Registry.Client.Auth;

/// <summary>
/// Credentials for one registry: a user name and password, or an identity token (an OAuth2
/// refresh token a token service handed out at login). <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed class RegistryCredential
{
    /// <summary>A user name and password.</summary>
    public RegistryCredential(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Username = username;
        Password = password;
    }

    private RegistryCredential(string? username, string identityToken, bool _)
    {
        Username = username;
        IdentityToken = identityToken;
    }

    /// <summary>An identity token, optionally with the user name it was issued to.</summary>
    public static RegistryCredential FromIdentityToken(string identityToken, string? username = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(identityToken);
        return new RegistryCredential(username, identityToken, true);
    }

    /// <summary>The user name; null for a bare identity token.</summary>
    public string? Username { get; }

    /// <summary>The password, or null for an identity token.</summary>
    public string? Password { get; }

    /// <summary>The identity (refresh) token, or null for a password.</summary>
    public string? IdentityToken { get; }

    /// <summary>Who, for messages: the user name or "identity token".</summary>
    public string Describe() => Username is { Length: > 0 } user ? $"user '{user}'" : "an identity token";

    /// <summary>Names the user only.</summary>
    public override string ToString() => $"RegistryCredential({Describe()})";
}

/// <summary>
/// Where credentials come from. The registry passed to <see cref="GetAsync"/> is the
/// <c>host[:port]</c> the <see cref="RegistryClient"/> was created with.
/// </summary>
public interface ICredentialStore
{
    /// <summary>The credentials for the registry, or null when none are stored.</summary>
    ValueTask<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default);
}

/// <summary>
/// Credentials held in memory, e.g. from <c>Connect-Registry</c> or a request's
/// <c>X-Registry-Auth</c>. Registry keys are compared case-insensitively; safe for concurrent use.
/// </summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly ConcurrentDictionary<string, RegistryCredential> _credentials = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Stores or replaces the credentials for a registry.</summary>
    public void Set(string registry, RegistryCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _credentials[DockerConfigCredentialStore.NormalizeKey(registry)] = credential;
    }

    /// <summary>The registries (host[:port]) that have credentials here.</summary>
    public IReadOnlyList<string> Registries => _credentials.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Forgets the credentials for a registry; false when there were none.</summary>
    public bool Remove(string registry) => _credentials.TryRemove(DockerConfigCredentialStore.NormalizeKey(registry), out _);

    /// <inheritdoc />
    public ValueTask<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_credentials.GetValueOrDefault(DockerConfigCredentialStore.NormalizeKey(registry)));
}
