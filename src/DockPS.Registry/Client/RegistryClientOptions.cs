using DockPS.Registry.Client.Auth;

namespace DockPS.Registry.Client;

/// <summary>How a <see cref="RegistryClient"/> talks to its registry.</summary>
public sealed class RegistryClientOptions
{
    /// <summary>
    /// Registries reached over plain HTTP instead of HTTPS, like the daemon's
    /// <c>insecure-registries</c>: <c>host:port</c>, a bare <c>host</c> (any port), or a CIDR range
    /// (<c>10.0.0.0/8</c>) matching IP-address hosts. Loopback hosts (<c>localhost</c>,
    /// <c>127.0.0.0/8</c>, <c>::1</c>) always use HTTP and need not be listed.
    /// </summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>Where credentials are looked up when the registry challenges; null for anonymous access only.</summary>
    public ICredentialStore? CredentialStore { get; init; }

    /// <summary>Credentials to use regardless of <see cref="CredentialStore"/> (e.g. a request's X-Registry-Auth).</summary>
    public RegistryCredential? Credential { get; init; }

    /// <summary>
    /// Blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks of
    /// <see cref="ChunkSize"/>, so a failure costs at most one chunk. Default 64 MiB.
    /// </summary>
    public long MonolithicUploadLimit { get; init; } = 64L << 20;

    /// <summary>The size of PATCH chunks for large uploads. Default 32 MiB.</summary>
    public int ChunkSize { get; init; } = 32 << 20;

    /// <summary>
    /// How many times in a row a chunk may fail (connection lost, 416, 5xx) before the push gives
    /// up; after each failure the upload resumes from the offset the registry reports. Default 3.
    /// </summary>
    public int MaxChunkRetries { get; init; } = 3;

    /// <summary>Manifests larger than this are refused (the distribution reference registry's limit). Default 4 MiB.</summary>
    public int MaxManifestBytes { get; init; } = 4 << 20;

    /// <summary>The page size asked for when listing tags and repositories; null lets the registry choose.</summary>
    public int? ListPageSize { get; init; }

    /// <summary>The User-Agent header.</summary>
    public string UserAgent { get; init; } = "dockps-registry-client/" + typeof(RegistryClientOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>How long to wait for a TCP (and TLS) connection. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
