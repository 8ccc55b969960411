using System.Management.Automation;
using System.Net;
using DockPS.Client;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Commands.Registries;

/// <summary>
/// The base of the cmdlets that look at a registry directly (no daemon involved, like skopeo):
/// -Credential, one <see cref="RegistryClient"/> per registry per invocation, Ctrl+C as
/// cancellation, and registry failures turned into ErrorRecords with specific ids and categories.
/// </summary>
/// <remarks>
/// The client decides HTTP or HTTPS with the rule the daemon's pulls and pushes use
/// (<see cref="RegistryClient.UsesPlainHttp"/>): plain HTTP for loopback registries, HTTPS for
/// every other. Credentials are the ones Receive-Image and Publish-Image send: -Credential, else
/// the login Connect-Registry or docker login stored (<see cref="RegistryLogins.FindFor"/>).
/// </remarks>
public abstract class RegistryCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Dictionary<string, RegistryClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    #region Parameters

    /// <summary><para type="description">Registry credentials, for this command only. Without it, the login stored for the registry is used (see Connect-Registry), else none.</para></summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    #endregion

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _cancel.Token;

    /// <summary>The client for <paramref name="registry"/> (host[:port]), made on first use with this invocation's credentials.</summary>
    protected RegistryClient ClientFor(string registry)
    {
        if (_clients.TryGetValue(registry, out var client)) { return client; }
        var credential = Credential is { } given
            ? new RegistryCredential(given.UserName.TrimStart('\\'), given.GetNetworkCredential().Password)
            : RegistryLogins.FindFor(this, registry);
        client = new RegistryClient(registry, new RegistryClientOptions { Credential = credential });
        WriteVerbose($"Talking to {client.BaseUri} ({credential?.Describe() ?? "no credentials"}).");
        return _clients[registry] = client;
    }

    /// <summary>Runs a registry call to completion on the pipeline thread.</summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> call) => call(Cancellation).GetAwaiter().GetResult();

    /// <summary>Runs a registry call that returns nothing to completion on the pipeline thread.</summary>
    protected void Run(Func<CancellationToken, Task> call) => call(Cancellation).GetAwaiter().GetResult();

    /// <summary>
    /// "host[:port]" of a -Registry value (a scheme or path is dropped, as Connect-Registry does);
    /// throws <see cref="ArgumentException"/> for anything that is no registry.
    /// </summary>
    protected static string RegistryHost(string registry)
    {
        var host = RegistryLogins.HostOf(registry);
        if (!ImageReference.IsValidRegistry(host)) { throw new ArgumentException($"'{registry}' is not a registry: give host[:port], e.g. localhost:5000"); }
        return host;
    }

    /// <summary>
    /// Parses registry/repository[:tag][@digest]. A reference without a registry takes
    /// <paramref name="registry"/>; with neither there is no registry to ask (DockPS has no
    /// default one), and a registry in both that differs is ambiguous: both are <see cref="ArgumentException"/>s.
    /// </summary>
    protected static ImageReference ParseReference(string text, string? registry)
    {
        if (!ImageReference.TryParse(text, out var parsed, out var why)) { throw new ArgumentException($"'{text}' is not a registry reference: {why}"); }
        var host = registry is null ? null : RegistryHost(registry);
        if (parsed.Registry is null)
        {
            return host is not null ? parsed.WithRegistry(host)
                : throw new ArgumentException($"'{text}' names no registry (there is no default one): give host[:port]/{parsed.Repository}, or -Registry");
        }
        if (host is not null && !string.Equals(host, parsed.Registry, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{text}' names the registry {parsed.Registry}, but -Registry is {host}");
        }
        return parsed;
    }

    /// <summary>
    /// Maps a registry failure to an ErrorRecord. The registry's answer decides id and category:
    /// 404 → <paramref name="notFoundId"/>/ObjectNotFound, rejected or missing credentials →
    /// RegistryAuthenticationFailed/AuthenticationError, 403 → RegistryAccessDenied/PermissionDenied,
    /// bad input → InvalidRegistryReference/InvalidArgument, no connection →
    /// RegistryUnreachable/ConnectionError, 405 → RegistryOperationUnsupported/NotImplemented,
    /// content that fails its digest → RegistryDigestMismatch/InvalidData; anything else
    /// <paramref name="failedId"/>. The message is the client's: registry, method, path and the
    /// registry's own error codes, never a credential.
    /// </summary>
    protected static ErrorRecord ToErrorRecord(Exception error, string failedId, string notFoundId, object? target)
    {
        if (error is AggregateException { InnerExceptions.Count: 1 } agg) { error = agg.InnerExceptions[0]; }
        var (id, category) = error switch
        {
            RegistryNotFoundException => (notFoundId, ErrorCategory.ObjectNotFound),
            RegistryAuthException => ("RegistryAuthenticationFailed", ErrorCategory.AuthenticationError),
            RegistryConnectionException => ("RegistryUnreachable", ErrorCategory.ConnectionError),
            DigestMismatchException => ("RegistryDigestMismatch", ErrorCategory.InvalidData),
            ManifestTooLargeException => ("RegistryManifestTooLarge", ErrorCategory.LimitsExceeded),
            RegistryException { StatusCode: HttpStatusCode.Forbidden } => ("RegistryAccessDenied", ErrorCategory.PermissionDenied),
            RegistryException { StatusCode: HttpStatusCode.MethodNotAllowed } => ("RegistryOperationUnsupported", ErrorCategory.NotImplemented),
            RegistryException { StatusCode: HttpStatusCode.BadRequest } => (failedId, ErrorCategory.InvalidArgument),
            RegistryException { StatusCode: HttpStatusCode.TooManyRequests } => (failedId, ErrorCategory.LimitsExceeded),
            ArgumentException or FormatException => ("InvalidRegistryReference", ErrorCategory.InvalidArgument),
            InvalidDataException => ("RegistryInvalidContent", ErrorCategory.InvalidData),
            OperationCanceledException => (failedId, ErrorCategory.OperationStopped),
            _ => (failedId, ErrorCategory.NotSpecified),
        };
        return new ErrorRecord(new DockException(error.Message, error), id, category, target);
    }

    /// <summary>Cancels in-flight registry calls on Ctrl+C.</summary>
    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Releases the registry clients' connections.</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        foreach (var client in _clients.Values) { client.Dispose(); }
        _clients.Clear();
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}
