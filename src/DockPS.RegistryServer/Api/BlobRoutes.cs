using System.Globalization;
using DockPS.Registry.Server;

namespace DockPS.RegistryServer.Api;

/// <summary>GET/HEAD/DELETE <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>, with single-range requests.</summary>
internal static class BlobRoutes
{
    public static async Task GetAsync(RegistryRequest req, RegistryServices services)
    {
        var blob = services.Storage.FindBlob(req.Name, req.Reference)
            ?? throw new DistributionException(DistributionErrorCode.BlobUnknown, "blob unknown to registry", req.Reference);
        var headers = req.Response.Headers;
        headers[Responses.DigestHeader] = blob.Digest;
        headers.ETag = $"\"{blob.Digest}\"";
        headers.AcceptRanges = "bytes";
        // Blobs never change: a client may cache them for good.
        headers.CacheControl = "max-age=31536000";
        req.Response.ContentType = "application/octet-stream";

        long offset = 0, length = blob.Size;
        if (!req.IsHead && req.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            if (ParseRange(range, blob.Size) is not { } part)
            {
                req.Response.StatusCode = 416;
                headers.ContentRange = $"bytes */{blob.Size}";
                req.Response.ContentLength = 0;
                return;
            }
            (offset, length) = part;
            req.Response.StatusCode = 206;
            headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{blob.Size}";
        }
        req.Response.ContentLength = length;
        if (req.IsHead) { return; }
        await req.Response.SendFileAsync(blob.Path, offset, length, req.Http.RequestAborted);
    }

    public static Task DeleteAsync(RegistryRequest req, RegistryServices services)
    {
        if (!services.Storage.DeleteBlob(req.Name, req.Reference))
        {
            throw new DistributionException(DistributionErrorCode.BlobUnknown, "blob unknown to registry", req.Reference);
        }
        Responses.Empty(req.Http, 202);
        return Task.CompletedTask;
    }

    /// <summary>
    /// One <c>bytes=</c> range (<c>a-b</c>, <c>a-</c> or <c>-suffix</c>) as offset and length, or
    /// null when it cannot be satisfied. A multi-range request is answered with the first range.
    /// </summary>
    internal static (long Offset, long Length)? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) { return null; }
        var spec = header[6..].Split(',')[0].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0) { return null; }
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0 || size == 0) { return null; }
            suffix = Math.Min(suffix, size);
            return (size - suffix, suffix);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start >= size) { return null; }
        var end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start) { return null; }
            end = Math.Min(end, size - 1);
        }
        return (start, end - start + 1);
    }
}
