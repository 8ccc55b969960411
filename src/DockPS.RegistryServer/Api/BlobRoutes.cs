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
        await SendFileAsync(req.Response, blob.Path, offset, length, req.Http.RequestAborted);
    }

    /// <summary>Bytes read from a blob file per step of <see cref="SendFileAsync"/>.</summary>
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="length"/> bytes of a file from <paramref name="offset"/> as the body,
    /// reading each megabyte straight into the response pipe's own buffer.
    /// </summary>
    /// <remarks>
    /// Kestrel's own SendFileAsync copies through a 16 KiB stream buffer and then into the pipe:
    /// two copies and about 12,000 system calls and thread hand-offs per 100 MiB, which held blob
    /// GETs well under a raw read. Kestrel has no sendfile. The read is synchronous on purpose:
    /// .NET has no asynchronous regular-file I/O on Linux (ReadAsync runs the same blocking read on
    /// another pool thread), and a blob is nearly always in the page cache after its upload.
    /// </remarks>
    private static async Task SendFileAsync(HttpResponse response, string path, long offset, long length, CancellationToken ct)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        // Started first, so that the writer hands out the transport pipe's memory for the body.
        await response.StartAsync(ct);
        var writer = response.BodyWriter;
        while (length > 0)
        {
            var want = (int)Math.Min(length, ChunkBytes);
            var buffer = writer.GetMemory(want);
            var read = RandomAccess.Read(file, buffer.Span[..Math.Min(want, buffer.Length)], offset);
            if (read == 0) { throw new IOException($"{path} ended {length} bytes before its recorded size"); }
            writer.Advance(read);
            offset += read;
            length -= read;
            var flushed = await writer.FlushAsync(ct);
            if (flushed.IsCanceled || flushed.IsCompleted) { return; }
        }
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
