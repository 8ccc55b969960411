using System.Net;

namespace DockPS.Registry.Client;

/// <summary>The error codes of the distribution spec, as registries send them.</summary>
public static class RegistryErrorCodes
{
    /// <summary>Blob unknown to the registry.</summary>
    public const string BlobUnknown = "BLOB_UNKNOWN";
    /// <summary>Blob upload invalid.</summary>
    public const string BlobUploadInvalid = "BLOB_UPLOAD_INVALID";
    /// <summary>Blob upload session unknown (expired or cancelled).</summary>
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    /// <summary>The uploaded content did not match the digest.</summary>
    public const string DigestInvalid = "DIGEST_INVALID";
    /// <summary>A manifest references a blob the registry lacks.</summary>
    public const string ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN";
    /// <summary>The manifest is invalid.</summary>
    public const string ManifestInvalid = "MANIFEST_INVALID";
    /// <summary>Manifest unknown.</summary>
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    /// <summary>Invalid repository name.</summary>
    public const string NameInvalid = "NAME_INVALID";
    /// <summary>Repository unknown.</summary>
    public const string NameUnknown = "NAME_UNKNOWN";
    /// <summary>Length did not match content.</summary>
    public const string SizeInvalid = "SIZE_INVALID";
    /// <summary>Authentication required.</summary>
    public const string Unauthorized = "UNAUTHORIZED";
    /// <summary>Access denied.</summary>
    public const string Denied = "DENIED";
    /// <summary>Operation unsupported (e.g. deletes disabled).</summary>
    public const string Unsupported = "UNSUPPORTED";
    /// <summary>Rate limited.</summary>
    public const string TooManyRequests = "TOOMANYREQUESTS";
    /// <summary>What the spec says to treat unrecognised codes as.</summary>
    public const string Unknown = "UNKNOWN";
}

/// <summary>One entry of a registry's error body.</summary>
/// <param name="Code">The spec's code (<see cref="RegistryErrorCodes"/>), upper case.</param>
/// <param name="Message">The registry's human-readable message.</param>
/// <param name="Detail">The <c>detail</c> member as raw JSON, when present.</param>
public sealed record RegistryError(string Code, string Message, string? Detail);

/// <summary>
/// A registry answered with an error, or could not be talked to. <see cref="StatusCode"/> and
/// <see cref="Errors"/> carry what the registry said; messages name the registry, the method and
/// the path, never credentials.
/// </summary>
public class RegistryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RegistryException(string message, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null,
        string? contentType = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
        ContentType = contentType;
    }

    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The errors of the registry's JSON error body; empty when it sent none.</summary>
    public IReadOnlyList<RegistryError> Errors { get; }

    /// <summary>The first error's code, or null.</summary>
    public string? Code => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>The Content-Type of the error response, to tell a registry's JSON from a proxy's HTML page.</summary>
    public string? ContentType { get; }

    /// <summary>True when any of the registry's errors has <paramref name="code"/>.</summary>
    public bool HasCode(string code) => Errors.Any(e => e.Code == code);
}

/// <summary>The repository, manifest, blob or upload does not exist (404).</summary>
public sealed class RegistryNotFoundException(string message, IReadOnlyList<RegistryError>? errors = null, string? contentType = null)
    : RegistryException(message, HttpStatusCode.NotFound, errors, contentType);

/// <summary>
/// Authentication failed: no credentials where the registry requires them, credentials the
/// registry or its token service rejected, or a token that does not grant the access asked for.
/// The message names the registry and the user, never the password.
/// </summary>
public sealed class RegistryAuthException(string message, HttpStatusCode? statusCode = HttpStatusCode.Unauthorized,
    IReadOnlyList<RegistryError>? errors = null, Exception? innerException = null)
    : RegistryException(message, statusCode, errors, null, innerException);

/// <summary>The registry could not be reached or the connection failed before a response arrived.</summary>
public sealed class RegistryConnectionException(string message, Exception innerException)
    : RegistryException(message, null, null, null, innerException);

/// <summary>Content did not hash to the digest it was asked for or announced with.</summary>
public sealed class DigestMismatchException(string message, string expected, string actual)
    : RegistryException(message)
{
    /// <summary>The digest the content should have had.</summary>
    public string Expected { get; } = expected;

    /// <summary>The digest it had (or the registry reported).</summary>
    public string Actual { get; } = actual;
}

/// <summary>A manifest larger than the client accepts (<see cref="RegistryClientOptions.MaxManifestBytes"/>).</summary>
public sealed class ManifestTooLargeException(string message, long limit)
    : RegistryException(message)
{
    /// <summary>The size limit in bytes.</summary>
    public long Limit { get; } = limit;
}

/// <summary>
/// A blob download stopped part-way (connection dropped or reset). <see cref="ResumeOffset"/> is
/// the blob offset up to which bytes were delivered: pass it to
/// <see cref="RegistryClient.OpenBlobAsync"/> to fetch the rest.
/// </summary>
public sealed class BlobTransferInterruptedException(string message, string digest, long resumeOffset, Exception? innerException)
    : IOException(message, innerException)
{
    /// <summary>The blob being read.</summary>
    public string Digest { get; } = digest;

    /// <summary>The offset in the blob after the last byte delivered.</summary>
    public long ResumeOffset { get; } = resumeOffset;
}

/// <summary>
/// The stream a push reads from failed, or ended before the blob's declared size. It is the
/// caller's data that is at fault, so the push is not retried.
/// </summary>
public sealed class BlobSourceException(string message, Exception? innerException) : IOException(message, innerException);
