using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Volumes;

/// <summary>Daemon volume answers → DockVolume objects, and the filters the volume cmdlets send.</summary>
internal static class VolumeObjects
{
    public static DockVolume From(VolumeResponse v, string address) => new()
    {
        Name = v.Name ?? "",
        Driver = v.Driver ?? "",
        Mountpoint = v.Mountpoint ?? "",
        CreatedAt = DateTimeOffset.TryParse(v.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? created.LocalDateTime : default,
        Labels = v.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(v.Labels),
        Options = v.Options is null ? new Dictionary<string, string>() : new Dictionary<string, string>(v.Options),
        Scope = v.Scope ?? "local",
        UsageData = v.UsageData is { } usage ? new DockVolumeUsage { Size = usage.Size, RefCount = usage.RefCount } : null,
        HostAddress = address,
    };

    /// <summary>A hashtable of strings (labels, driver options) as the API's string map; null values become "".</summary>
    public static Dictionary<string, string> Map(Hashtable? table)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table ?? new Hashtable())
        {
            map[entry.Key.ToString()!] = LanguagePrimitives.ConvertTo<string>(entry.Value) ?? "";
        }
        return map;
    }

    /// <summary>Docker filters from label selectors (key or key=value) and other single values.</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filters(IEnumerable<string>? labels, params (string Key, string? Value)[] extra)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (!filters.TryGetValue(key, out var set)) { filters[key] = set = new Dictionary<string, bool>(); }
            set[value] = true;
        }
        foreach (var label in labels ?? []) { Add("label", label); }
        foreach (var (key, value) in extra) { if (value is not null) { Add(key, value); } }
        return filters;
    }
}

/// <summary>Tab completion of volume names from the daemon the command addresses.</summary>
public sealed class VolumeNameCompleter : IArgumentCompleter
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
            return (client.Volumes.ListAsync(new VolumesListParameters()).GetAwaiter().GetResult().Volumes ?? [])
                .Select(v => v.Name)
                .Where(pattern.IsMatch)
                .Order(StringComparer.Ordinal)
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Docker.DotNet.DockerApiException)
        {
            return [];
        }
    }
}
