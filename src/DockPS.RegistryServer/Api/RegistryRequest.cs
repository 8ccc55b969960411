using DockPS.Registry.Server;
using DockPS.Registry.Server.Auth;

namespace DockPS.RegistryServer.Api;

/// <summary>What a /v2/ path addresses.</summary>
internal enum Resource
{
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Tags,
    Referrers,
}

/// <summary>A parsed request: the resource, the repository name and the tag, digest or upload id.</summary>
internal sealed record RegistryRequest(HttpContext Http, Resource Resource, string Name, string Reference)
{
    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public bool IsHead => HttpMethods.IsHead(Request.Method);

    public string? Query(string key) => Request.Query.TryGetValue(key, out var value) ? value.ToString() : null;

    /// <summary>
    /// Splits <c>&lt;name&gt;/&lt;resource&gt;/&lt;reference&gt;</c> from the end, because names contain
    /// slashes and the resource words do not end a valid name's last component ambiguously. The
    /// name is not validated here: handlers' storage calls reject it with NAME_INVALID.
    /// </summary>
    public static RegistryRequest? Parse(HttpContext http, string path)
    {
        var parts = path.Split('/');
        int n = parts.Length;
        if (n >= 4 && parts[n - 3] == "blobs" && parts[n - 2] == "uploads")
        {
            var name = Join(parts, n - 3);
            return parts[n - 1].Length == 0
                ? new RegistryRequest(http, Resource.UploadStart, name, "")
                : new RegistryRequest(http, Resource.Upload, name, parts[n - 1]);
        }
        if (n >= 3 && parts[n - 2] == "tags" && parts[n - 1] == "list")
        {
            return new RegistryRequest(http, Resource.Tags, Join(parts, n - 2), "");
        }
        if (n >= 3)
        {
            Resource? resource = parts[n - 2] switch
            {
                "manifests" => Resource.Manifest,
                "blobs" => Resource.Blob,
                "referrers" => Resource.Referrers,
                _ => null,
            };
            if (resource is { } r && parts[n - 1].Length > 0) { return new RegistryRequest(http, r, Join(parts, n - 2), parts[n - 1]); }
        }
        return null;
    }

    private static string Join(string[] parts, int count) => string.Join('/', parts, 0, count);
}

/// <summary>The services every handler may use; <paramref name="Auth"/> is null when the registry is open.</summary>
internal sealed record RegistryServices(RegistryStorage Storage, UploadSessions Uploads, RegistryAuthority? Auth = null);
