using DockPS.Registry.Server;

namespace DockPS.RegistryServer.Api;

/// <summary>GET/HEAD/PUT/DELETE <c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
internal static class ManifestRoutes
{
    public static async Task GetAsync(RegistryRequest req, RegistryServices services)
    {
        var manifest = services.Storage.FindManifest(req.Name, req.Reference)
            ?? throw new DistributionException(DistributionErrorCode.ManifestUnknown, "manifest unknown to registry", req.Reference);
        req.Response.Headers[Responses.DigestHeader] = manifest.Digest;
        req.Response.Headers.ETag = $"\"{manifest.Digest}\"";
        await Responses.WriteBodyAsync(req.Http, manifest.MediaType, manifest.Content);
    }

    public static async Task PutAsync(RegistryRequest req, RegistryServices services)
    {
        // Refuse an announced oversize before reading it; a chunked one is cut off at the limit.
        if (req.Request.ContentLength > RegistryStorage.MaxManifestBytes) { throw TooLarge(); }
        var body = await ReadLimitedAsync(req.Request.Body, RegistryStorage.MaxManifestBytes, req.Http.RequestAborted);
        var (manifest, document) = services.Storage.PutManifest(req.Name, req.Reference, req.Request.ContentType, body);
        req.Response.Headers.Location = Responses.PathOf(req.Name, "manifests", manifest.Digest);
        req.Response.Headers[Responses.DigestHeader] = manifest.Digest;
        // Tells v1.1 clients the registry indexed the subject, so they need no referrers tag.
        if (document.Subject is { } subject) { req.Response.Headers["OCI-Subject"] = subject; }
        Responses.Empty(req.Http, 201);
    }

    public static Task DeleteAsync(RegistryRequest req, RegistryServices services)
    {
        if (!services.Storage.DeleteManifest(req.Name, req.Reference))
        {
            throw new DistributionException(DistributionErrorCode.ManifestUnknown, "manifest unknown to registry", req.Reference);
        }
        Responses.Empty(req.Http, 202);
        return Task.CompletedTask;
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, int limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > limit) { throw TooLarge(); }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static DistributionException TooLarge() =>
        new(DistributionErrorCode.ManifestInvalid, $"manifest larger than {RegistryStorage.MaxManifestBytes} bytes", status: 413);
}
