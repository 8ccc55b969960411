using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Images;

/// <summary>Daemon image answers → DockImage objects, in one place for every image cmdlet.</summary>
internal static class ImageObjects
{
    public static DockImage FromSummary(ImagesListResponse s, string address) => new()
    {
        Id = s.ID,
        Tags = s.RepoTags?.Where(t => t != "<none>:<none>").ToArray() ?? [],
        RepoDigests = s.RepoDigests?.Where(d => d != "<none>@<none>").ToArray() ?? [],
        Size = s.Size,
        Created = s.Created.ToLocalTime(),
        Labels = s.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(s.Labels),
        HostAddress = address,
    };

    public static DockImage FromInspect(ImageInspectResponse i, string address) => new()
    {
        Id = i.ID,
        Tags = i.RepoTags?.ToArray() ?? [],
        RepoDigests = i.RepoDigests?.ToArray() ?? [],
        Size = i.Size,
        Created = i.Created?.ToLocalTime() ?? default,
        Architecture = i.Architecture,
        Os = i.Os,
        Layers = i.RootFS?.Layers?.ToArray() ?? [],
        Labels = i.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
        Config = i.Config,
        HostAddress = address,
    };

    /// <summary>Docker list filters from a hashtable of key → value or values.</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filters(Hashtable? table, params (string Key, string? Value)[] extra)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (!filters.TryGetValue(key, out var set)) { filters[key] = set = new Dictionary<string, bool>(); }
            set[value] = true;
        }
        foreach (DictionaryEntry entry in table ?? new Hashtable())
        {
            var values = LanguagePrimitives.GetEnumerable(entry.Value) is { } many ? many.Cast<object>() : [entry.Value!];
            foreach (var value in values) { Add(entry.Key.ToString()!, value?.ToString() ?? ""); }
        }
        foreach (var (key, value) in extra) { if (value is not null) { Add(key, value); } }
        return filters;
    }
}

/// <summary>Tab completion of image names (name:tag) from the daemon the command addresses.</summary>
public sealed class ImageNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var address = DaemonAddress.Resolve(fakeBoundParameters["HostAddress"] as string);
        if (!DaemonProcess.Answers(address)) { return []; }
        try
        {
            using var client = new Docker.DotNet.DockerClientBuilder().WithEndpoint(DaemonAddress.ToEndpoint(address)).Build();
            var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            return client.Images.ListImagesAsync(new ImagesListParameters()).GetAwaiter().GetResult()
                .SelectMany(i => i.RepoTags ?? [])
                .Where(t => t != "<none>:<none>" && pattern.IsMatch(t))
                .Order()
                .Select(t => new CompletionResult(t.Contains(' ') ? $"'{t}'" : t, t, CompletionResultType.ParameterValue, t))
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Docker.DotNet.DockerApiException)
        {
            return [];
        }
    }
}
