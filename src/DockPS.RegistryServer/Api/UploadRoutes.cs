using System.Globalization;
using System.Text.RegularExpressions;
using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>
/// Blob uploads: POST <c>/v2/&lt;name&gt;/blobs/uploads/</c> (start, single-request push, mount) and
/// GET/PATCH/PUT/DELETE on the session URL.
/// </summary>
internal static partial class UploadRoutes
{
    public static async Task StartAsync(RegistryRequest req, RegistryServices services)
    {
        // A mount reads the source repository, so the caller must be allowed to pull from it; when
        // not, the spec's fallback (a plain upload session) applies and nothing leaks.
        if (req.Query("mount") is { } mount && req.Query("from") is { } from && AuthGate.Allows(req.Http, services, from, AccessScope.Pull))
        {
            RegistryStorage.RequireDigest(mount);
            if (services.Storage.MountBlob(req.Name, mount, from) is { } mounted)
            {
                Created(req, mounted);
                return;
            }
            // Not mountable (unknown there, or no such repository): the spec's answer is a plain
            // upload session, so the client pushes the blob instead.
        }
        var upload = services.Uploads.Start(req.Name);
        if (req.Query("digest") is { } digest)
        {
            RegistryStorage.RequireDigest(digest);
            try
            {
                await services.Uploads.AppendAsync(req.Name, upload.Id, req.Request.Body, null, null, req.Http.RequestAborted);
            }
            catch
            {
                services.Uploads.Cancel(req.Name, upload.Id);
                throw;
            }
            Created(req, await services.Uploads.CompleteAsync(req.Name, upload.Id, digest, req.Http.RequestAborted));
            return;
        }
        Accepted(req, upload, 202);
    }

    public static Task StatusAsync(RegistryRequest req, RegistryServices services)
    {
        Accepted(req, services.Uploads.Status(req.Name, req.Reference), 204);
        return Task.CompletedTask;
    }

    public static async Task PatchAsync(RegistryRequest req, RegistryServices services)
    {
        var (start, end) = ContentRange(req);
        var status = await services.Uploads.AppendAsync(req.Name, req.Reference, req.Request.Body, start, end, req.Http.RequestAborted);
        Accepted(req, status, 202);
    }

    public static async Task PutAsync(RegistryRequest req, RegistryServices services)
    {
        // Check the digest before taking a final chunk, so a bad close changes nothing.
        var digest = req.Query("digest");
        RegistryStorage.RequireDigest(digest);
        var (start, end) = ContentRange(req);
        if (req.Request.ContentLength is null or > 0)
        {
            await services.Uploads.AppendAsync(req.Name, req.Reference, req.Request.Body, start, end, req.Http.RequestAborted);
        }
        Created(req, await services.Uploads.CompleteAsync(req.Name, req.Reference, digest, req.Http.RequestAborted));
    }

    public static Task CancelAsync(RegistryRequest req, RegistryServices services)
    {
        services.Uploads.Cancel(req.Name, req.Reference);
        // The reference names the cancelled session on its 204 as on every other session answer.
        req.Response.Headers["Docker-Upload-UUID"] = req.Reference;
        Responses.Empty(req.Http, 204);
        return Task.CompletedTask;
    }

    private static void Created(RegistryRequest req, StoredBlob blob)
    {
        req.Response.Headers.Location = Responses.PathOf(req.Name, "blobs", blob.Digest);
        req.Response.Headers[Responses.DigestHeader] = blob.Digest;
        Responses.Empty(req.Http, 201);
    }

    private static void Accepted(RegistryRequest req, UploadStatus upload, int status)
    {
        var headers = req.Response.Headers;
        headers.Location = Responses.PathOf(req.Name, "blobs/uploads", upload.Id);
        headers["Docker-Upload-UUID"] = upload.Id;
        // Inclusive end of what is stored; "0-0" for nothing yet, as the reference and clients expect.
        headers["Range"] = $"0-{Math.Max(upload.Offset - 1, 0)}";
        Responses.Empty(req.Http, status);
    }

    /// <summary>The chunk's Content-Range (<c>start-end</c>, inclusive), or nulls when absent (a streamed chunk).</summary>
    private static (long? Start, long? End) ContentRange(RegistryRequest req)
    {
        var header = req.Request.Headers.ContentRange.ToString();
        if (header.Length == 0) { return (null, null); }
        var match = RangePattern().Match(header);
        if (!match.Success)
        {
            throw new DistributionException(DistributionErrorCode.BlobUploadInvalid, "Content-Range must be <start>-<end>", header);
        }
        var start = long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        var end = long.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
        if (end < start)
        {
            throw new DistributionException(DistributionErrorCode.RangeInvalid, "Content-Range ends before it starts", null);
        }
        return (start, end);
    }

    // The spec's form is "start-end"; "bytes start-end/*" (RFC 9110's) is accepted too.
    [GeneratedRegex(@"^(?:bytes[ =])?([0-9]{1,18})-([0-9]{1,18})(?:/(?:\*|[0-9]+))?$")]
    private static partial Regex RangePattern();
}
