using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DockPS.Registry.Client;

public sealed partial class RegistryClient
{
    // A listing is data, not a manifest, but it deserves a ceiling too.
    private const int MaxListPageBytes = 16 << 20;

    /// <summary>
    /// Every tag of a repository, following the registry's <c>Link: &lt;…&gt;; rel="next"</c>
    /// pages (<c>n</c>, <c>last</c>); page size from <paramref name="pageSize"/>, else
    /// <see cref="RegistryClientOptions.ListPageSize"/>, else the registry's choice. Tags come in
    /// the registry's order: the spec says lexical, but distribution 2.x neither sorts nor pages tags.
    /// </summary>
    /// <exception cref="RegistryNotFoundException">The repository does not exist (NAME_UNKNOWN).</exception>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        return await ListAsync($"v2/{repository}/tags/list", pageSize, [Pull(repository)], RegistryJsonContext.Default.TagList,
            page => page.Tags, cancellationToken);
    }

    /// <summary>
    /// Every repository of the registry (<c>/v2/_catalog</c>, paged like tags). Registries may
    /// refuse or limit the catalog; the reference registry serves it to any authorised client.
    /// </summary>
    public Task<IReadOnlyList<string>> CatalogAsync(int? pageSize = null, CancellationToken cancellationToken = default) =>
        ListAsync("v2/_catalog", pageSize, ["registry:catalog:*"], RegistryJsonContext.Default.CatalogPage,
            page => page.Repositories, cancellationToken);

    private async Task<IReadOnlyList<string>> ListAsync<TPage>(string path, int? pageSize, IReadOnlyList<string> scopes,
        JsonTypeInfo<TPage> pageType, Func<TPage, IReadOnlyList<string>?> items, CancellationToken ct)
    {
        var size = pageSize ?? _options.ListPageSize;
        if (size is <= 0) { throw new ArgumentOutOfRangeException(nameof(pageSize), "a page holds at least one entry"); }
        var next = Api(path + (size is { } n ? $"?n={n}" : ""));
        var all = new List<string>();
        var seen = new HashSet<Uri>();
        while (next is not null)
        {
            // A registry that links a page to itself would otherwise keep the loop going forever.
            if (!seen.Add(next)) { throw new RegistryException($"registry {Registry}: listing {path} links back to a page already read"); }
            var url = next;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), scopes, ct);
            await EnsureStatusAsync(response, ct, HttpStatusCode.OK);
            var body = await HttpBodies.ReadLimitedAsync(response.Content, MaxListPageBytes, ct)
                ?? throw new RegistryException($"registry {Registry}: a page of {path} is larger than {MaxListPageBytes} bytes");
            TPage? page;
            try { page = JsonSerializer.Deserialize(body, pageType); }
            catch (JsonException e) { throw new RegistryException($"registry {Registry}: {path} answered with invalid JSON: {e.Message}", response.StatusCode); }
            all.AddRange(page is null ? [] : items(page) ?? []);
            next = NextPage(response);
        }
        return all;
    }

    /// <summary>The URL of <c>rel="next"</c> in the Link header, resolved against the request.</summary>
    private static Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) { return null; }
        foreach (var link in links.SelectMany(SplitLinks))
        {
            var open = link.IndexOf('<');
            var close = link.IndexOf('>', open + 1);
            if (open < 0 || close < 0) { continue; }
            var parameters = link[(close + 1)..].Replace(" ", "");
            if (parameters.Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || parameters.Contains("rel=next", StringComparison.OrdinalIgnoreCase))
            {
                return new Uri(response.RequestMessage!.RequestUri!, link[(open + 1)..close]);
            }
        }
        return null;
    }

    // Several links may share one header, separated by commas outside the <…> URLs.
    private static IEnumerable<string> SplitLinks(string header)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] == '<') { depth++; }
            else if (header[i] == '>') { depth--; }
            else if (header[i] == ',' && depth == 0)
            {
                yield return header[start..i];
                start = i + 1;
            }
        }
        yield return header[start..];
    }
}
