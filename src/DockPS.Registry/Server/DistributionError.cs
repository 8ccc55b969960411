namespace DockPS.Registry.Server;

/// <summary>
/// The error codes of the distribution spec, each with the HTTP status the spec (or, where it is
/// silent, the reference registry) answers it with. One table, so a handler never picks a status
/// apart from its code.
/// </summary>
public enum DistributionErrorCode
{
    /// <summary>Blob unknown to registry (404).</summary>
    BlobUnknown,
    /// <summary>Blob upload invalid (400).</summary>
    BlobUploadInvalid,
    /// <summary>Blob upload unknown to registry (404).</summary>
    BlobUploadUnknown,
    /// <summary>Provided digest did not match uploaded content (400).</summary>
    DigestInvalid,
    /// <summary>A manifest references a blob or manifest that is not in the repository (400).</summary>
    ManifestBlobUnknown,
    /// <summary>Manifest invalid (400, or 413 when too large).</summary>
    ManifestInvalid,
    /// <summary>Manifest unknown to registry (404).</summary>
    ManifestUnknown,
    /// <summary>Invalid repository name (400).</summary>
    NameInvalid,
    /// <summary>Repository name not known to registry (404).</summary>
    NameUnknown,
    /// <summary>Provided length did not match content length (400).</summary>
    SizeInvalid,
    /// <summary>The operation is unsupported (405 or 400).</summary>
    Unsupported,
    /// <summary>An <c>n</c> that is not a non-negative integer (400), as the reference names it.</summary>
    PaginationNumberInvalid,
    /// <summary>Authentication required (401, with a challenge).</summary>
    Unauthorized,
    /// <summary>Requested access to the resource is denied (403).</summary>
    Denied,
    /// <summary>A Content-Range that does not follow the upload so far (416).</summary>
    RangeInvalid,
}

/// <summary>
/// A request the registry refuses, with the spec's code, a message and an optional detail. The
/// HTTP layer turns it into <c>{"errors":[{"code","message","detail"}]}</c>; storage code throws
/// it before changing anything, so a refused request leaves the store as it was.
/// </summary>
public sealed class DistributionException : Exception
{
    /// <summary>Creates an error; <paramref name="status"/> overrides the code's usual HTTP status.</summary>
    public DistributionException(DistributionErrorCode code, string message, string? detail = null, int? status = null)
        : base(message)
    {
        Code = code;
        Detail = detail;
        Status = status ?? DefaultStatus(code);
    }

    /// <summary>The spec's error code.</summary>
    public DistributionErrorCode Code { get; }

    /// <summary>What the client can use to resolve it (a digest, a name), or null.</summary>
    public string? Detail { get; }

    /// <summary>The HTTP status to answer with.</summary>
    public int Status { get; }

    /// <summary>The code as the spec spells it on the wire (<c>MANIFEST_BLOB_UNKNOWN</c>).</summary>
    public string WireCode => WireName(Code);

    /// <summary>The spec's spelling of a code.</summary>
    public static string WireName(DistributionErrorCode code) => code switch
    {
        DistributionErrorCode.BlobUnknown => "BLOB_UNKNOWN",
        DistributionErrorCode.BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
        DistributionErrorCode.BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
        DistributionErrorCode.DigestInvalid => "DIGEST_INVALID",
        DistributionErrorCode.ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
        DistributionErrorCode.ManifestInvalid => "MANIFEST_INVALID",
        DistributionErrorCode.ManifestUnknown => "MANIFEST_UNKNOWN",
        DistributionErrorCode.NameInvalid => "NAME_INVALID",
        DistributionErrorCode.NameUnknown => "NAME_UNKNOWN",
        DistributionErrorCode.SizeInvalid => "SIZE_INVALID",
        DistributionErrorCode.Unsupported => "UNSUPPORTED",
        DistributionErrorCode.PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
        DistributionErrorCode.Unauthorized => "UNAUTHORIZED",
        DistributionErrorCode.Denied => "DENIED",
        // The spec has no code for a chunk out of order, only the status; the reference answers
        // BLOB_UPLOAD_INVALID with it, and so do we.
        DistributionErrorCode.RangeInvalid => "BLOB_UPLOAD_INVALID",
        _ => "UNKNOWN",
    };

    private static int DefaultStatus(DistributionErrorCode code) => code switch
    {
        DistributionErrorCode.BlobUnknown or DistributionErrorCode.BlobUploadUnknown
            or DistributionErrorCode.ManifestUnknown or DistributionErrorCode.NameUnknown => 404,
        DistributionErrorCode.Unsupported => 405,
        DistributionErrorCode.RangeInvalid => 416,
        DistributionErrorCode.Unauthorized => 401,
        DistributionErrorCode.Denied => 403,
        _ => 400,
    };
}
