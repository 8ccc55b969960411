using DockPS.Registry.Server;

namespace DockPS.RegistryServer.Api;

/// <summary>
/// The registry's routes as one table, resource and method to handler. Names contain slashes, so
/// the host maps <c>/v2/{**path}</c> here and <see cref="RegistryRequest.Parse"/> splits it.
/// </summary>
internal static class RouteTable
{
    private delegate Task Handler(RegistryRequest request, RegistryServices services);

    private static readonly Dictionary<(Resource, string), Handler> Routes = new()
    {
        [(Resource.Manifest, "GET")] = ManifestRoutes.GetAsync,
        [(Resource.Manifest, "HEAD")] = ManifestRoutes.GetAsync,
        [(Resource.Manifest, "PUT")] = ManifestRoutes.PutAsync,
        [(Resource.Manifest, "DELETE")] = ManifestRoutes.DeleteAsync,
        [(Resource.Blob, "GET")] = BlobRoutes.GetAsync,
        [(Resource.Blob, "HEAD")] = BlobRoutes.GetAsync,
        [(Resource.Blob, "DELETE")] = BlobRoutes.DeleteAsync,
        [(Resource.UploadStart, "POST")] = UploadRoutes.StartAsync,
        [(Resource.Upload, "GET")] = UploadRoutes.StatusAsync,
        [(Resource.Upload, "PATCH")] = UploadRoutes.PatchAsync,
        [(Resource.Upload, "PUT")] = UploadRoutes.PutAsync,
        [(Resource.Upload, "DELETE")] = UploadRoutes.CancelAsync,
        [(Resource.Tags, "GET")] = ListingRoutes.TagsAsync,
        [(Resource.Referrers, "GET")] = ListingRoutes.ReferrersAsync,
    };

    /// <summary>Answers one request under <c>/v2/</c>; <paramref name="path"/> is what follows it.</summary>
    public static async Task DispatchAsync(HttpContext http, string path, RegistryServices services)
    {
        try
        {
            if (path.Length == 0)
            {
                await Responses.WriteBodyAsync(http, "application/json", "{}"u8.ToArray());
                return;
            }
            if (path == "_catalog")
            {
                if (!HttpMethods.IsGet(http.Request.Method)) { throw Unsupported(); }
                await ListingRoutes.CatalogAsync(http, services);
                return;
            }
            if (RegistryRequest.Parse(http, path) is not { } request)
            {
                await Responses.NotFoundAsync(http);
                return;
            }
            RepositoryName.Validate(request.Name);
            if (!Routes.TryGetValue((request.Resource, http.Request.Method.ToUpperInvariant()), out var handler)) { throw Unsupported(); }
            await handler(request, services);
        }
        catch (DistributionException error) when (!http.Response.HasStarted)
        {
            await Responses.WriteErrorAsync(http, error);
        }
    }

    private static DistributionException Unsupported() =>
        new(DistributionErrorCode.Unsupported, "the operation is unsupported");
}
