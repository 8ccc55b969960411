using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>
/// The registry's routes as one table, resource and method to handler. Names contain slashes, so
/// the host maps <c>/v2/{**path}</c> here and <see cref="RegistryRequest.Parse"/> splits it.
/// Each route names the action it needs on its repository, which <see cref="AuthGate"/> checks.
/// </summary>
internal static class RouteTable
{
    private delegate Task Handler(RegistryRequest request, RegistryServices services);

    private const string Pull = AccessScope.Pull, Push = AccessScope.Push, Delete = AccessScope.Delete;

    private static readonly Dictionary<(Resource, string), (Handler Handler, string Action)> Routes = new()
    {
        [(Resource.Manifest, "GET")] = (ManifestRoutes.GetAsync, Pull),
        [(Resource.Manifest, "HEAD")] = (ManifestRoutes.GetAsync, Pull),
        [(Resource.Manifest, "PUT")] = (ManifestRoutes.PutAsync, Push),
        [(Resource.Manifest, "DELETE")] = (ManifestRoutes.DeleteAsync, Delete),
        [(Resource.Blob, "GET")] = (BlobRoutes.GetAsync, Pull),
        [(Resource.Blob, "HEAD")] = (BlobRoutes.GetAsync, Pull),
        [(Resource.Blob, "DELETE")] = (BlobRoutes.DeleteAsync, Delete),
        [(Resource.UploadStart, "POST")] = (UploadRoutes.StartAsync, Push),
        [(Resource.Upload, "GET")] = (UploadRoutes.StatusAsync, Push),
        [(Resource.Upload, "PATCH")] = (UploadRoutes.PatchAsync, Push),
        [(Resource.Upload, "PUT")] = (UploadRoutes.PutAsync, Push),
        [(Resource.Upload, "DELETE")] = (UploadRoutes.CancelAsync, Push),
        [(Resource.Tags, "GET")] = (ListingRoutes.TagsAsync, Pull),
        [(Resource.Referrers, "GET")] = (ListingRoutes.ReferrersAsync, Pull),
    };

    /// <summary>Answers one request under <c>/v2/</c>; <paramref name="path"/> is what follows it.</summary>
    public static async Task DispatchAsync(HttpContext http, string path, RegistryServices services)
    {
        try
        {
            if (path.Length == 0)
            {
                AuthGate.Require(http, services, AccessScope.Registry, "", null);
                await Responses.WriteBodyAsync(http, "application/json", "{}"u8.ToArray());
                return;
            }
            if (path == "_catalog")
            {
                if (!HttpMethods.IsGet(http.Request.Method)) { throw Unsupported(); }
                AuthGate.Require(http, services, AccessScope.Registry, AccessScope.Catalog.Name, "*");
                await ListingRoutes.CatalogAsync(http, services);
                return;
            }
            if (RegistryRequest.Parse(http, path) is not { } request)
            {
                await Responses.NotFoundAsync(http);
                return;
            }
            RepositoryName.Validate(request.Name);
            if (!Routes.TryGetValue((request.Resource, http.Request.Method.ToUpperInvariant()), out var route)) { throw Unsupported(); }
            AuthGate.Require(http, services, AccessScope.Repository, request.Name, route.Action);
            await route.Handler(request, services);
        }
        catch (DistributionException error) when (!http.Response.HasStarted)
        {
            await Responses.WriteErrorAsync(http, error);
        }
    }

    private static DistributionException Unsupported() =>
        new(DistributionErrorCode.Unsupported, "the operation is unsupported");
}
