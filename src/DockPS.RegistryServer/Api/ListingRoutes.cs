using System.Globalization;
using DockPS.Registry.Client;
using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>Tags, the catalog and referrers: the content discovery endpoints.</summary>
internal static class ListingRoutes
{
    public static Task TagsAsync(RegistryRequest req, RegistryServices services)
    {
        var tags = services.Storage.ListTags(req.Name);
        var page = Paginate(req.Http, tags, $"/v2/{req.Name}/tags/list");
        var body = Responses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", req.Name);
            WriteArray(writer, "tags", page);
            writer.WriteEndObject();
        });
        return Responses.WriteBodyAsync(req.Http, "application/json", body);
    }

    public static Task CatalogAsync(HttpContext http, RegistryServices services)
    {
        // Only what the caller may pull: the names of other teams' repositories are theirs too.
        var visible = services.Storage.ListRepositories().Where(name => AuthGate.UserMay(http, services, name, AccessScope.Pull)).ToList();
        var page = Paginate(http, visible, "/v2/_catalog");
        var body = Responses.Json(writer =>
        {
            writer.WriteStartObject();
            WriteArray(writer, "repositories", page);
            writer.WriteEndObject();
        });
        return Responses.WriteBodyAsync(http, "application/json", body);
    }

    public static Task ReferrersAsync(RegistryRequest req, RegistryServices services)
    {
        var artifactType = req.Query("artifactType");
        if (artifactType?.Length == 0) { artifactType = null; }
        var referrers = services.Storage.ListReferrers(req.Name, req.Reference, artifactType);
        if (artifactType is not null) { req.Response.Headers["OCI-Filters-Applied"] = "artifactType"; }
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = referrers };
        return Responses.WriteBodyAsync(req.Http, MediaTypes.OciIndex, index.ToJson());
    }

    /// <summary>
    /// The <c>n</c>/<c>last</c> page of a sorted list: entries after <c>last</c>, at most <c>n</c>,
    /// and a <c>Link: &lt;...&gt;; rel="next"</c> header when more follow (never when n is 0).
    /// </summary>
    private static IReadOnlyList<string> Paginate(HttpContext http, IReadOnlyList<string> all, string path)
    {
        var query = http.Request.Query;
        int? n = null;
        if (query.TryGetValue("n", out var nText) && nText.ToString().Length > 0)
        {
            if (!int.TryParse(nText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new DistributionException(DistributionErrorCode.PaginationNumberInvalid, "n must be a non-negative integer", nText.ToString());
            }
            n = parsed;
        }
        var last = query.TryGetValue("last", out var lastText) ? lastText.ToString() : "";
        var after = last.Length == 0 ? all : all.Where(entry => string.CompareOrdinal(entry, last) > 0).ToList();
        if (n is not { } limit || after.Count <= limit) { return after; }
        var page = after.Take(limit).ToList();
        if (limit > 0)
        {
            http.Response.Headers.Link = $"<{path}?last={Uri.EscapeDataString(page[^1])}&n={limit}>; rel=\"next\"";
        }
        return page;
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) { writer.WriteStringValue(value); }
        writer.WriteEndArray();
    }
}
