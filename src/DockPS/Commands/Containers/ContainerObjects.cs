using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockPS.Client;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>Daemon container answers → DockContainer objects, in one place for every container cmdlet.</summary>
internal static class ContainerObjects
{
    /// <summary>
    /// A DockContainer from the list summary (docker ps's Status, Command and Image as asked for)
    /// and the inspect answer (times, exit code, terminal); either may be missing.
    /// </summary>
    public static DockContainer From(ContainerListResponse? s, ContainerInspectResponse? i, string address)
    {
        var state = i?.State;
        var status = s?.State ?? state?.Status ?? "";
        var started = Time(state?.StartedAt);
        return new DockContainer
        {
            Id = s?.ID ?? i?.ID ?? "",
            Name = (s?.Names?.FirstOrDefault() ?? i?.Name ?? "").TrimStart('/'),
            Image = s?.Image ?? i?.Config?.Image ?? "",
            ImageId = s?.ImageID ?? i?.Image ?? "",
            Command = s?.Command ?? CommandLine(i),
            State = status,
            Status = s?.Status ?? state?.Status ?? "",
            // A running container has no exit code yet, nor has one that never ran, unless its start
            // failed (127: no such program, as Docker reports it).
            ExitCode = state is null || state.Running || (started is null && state.ExitCode == 0) ? null : (int)state.ExitCode,
            Created = Local(s?.Created ?? i?.Created ?? default),
            StartedAt = started,
            FinishedAt = Time(state?.FinishedAt),
            Mounts = (s?.Mounts ?? i?.Mounts ?? []).Select(Mount).ToArray(),
            Labels = (s?.Labels ?? i?.Config?.Labels) is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            Ports = (s?.Ports ?? []).Select(p => new DockContainerPort
            {
                PrivatePort = p.PrivatePort,
                PublicPort = p.PublicPort == 0 ? null : p.PublicPort,
                Protocol = p.Type ?? "tcp",
                HostIp = p.IP,
            }).ToArray(),
            SizeRw = s?.SizeRw ?? i?.SizeRw,
            SizeRootFs = s?.SizeRootFs ?? i?.SizeRootFs,
            Tty = i?.Config?.Tty ?? false,
            HostAddress = address,
        };
    }

    private static DockContainerMount Mount(MountPoint m) => new()
    {
        Type = m.Type ?? "",
        Name = string.IsNullOrEmpty(m.Name) ? null : m.Name,
        Source = m.Source ?? "",
        Destination = m.Destination ?? "",
        Driver = string.IsNullOrEmpty(m.Driver) ? null : m.Driver,
        Mode = m.Mode ?? "",
        ReadWrite = m.RW,
        Propagation = m.Propagation ?? "",
    };

    // What docker ps shows when only the inspect answer is at hand: the path and its arguments.
    private static string CommandLine(ContainerInspectResponse? i) =>
        i is null ? "" : string.Join(' ', new[] { i.Path }.Concat(i.Args ?? []).Where(a => !string.IsNullOrEmpty(a)));

    private static DateTime Local(DateTime time) =>
        (time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time).ToLocalTime();

    // Docker's zero time (0001-01-01T00:00:00Z) means "never".
    private static DateTime? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time.LocalDateTime
            : null;

    /// <summary>
    /// The full DockContainer for a name or ID: the inspect answer plus the list summary (found by
    /// its full ID), so an object looks the same whether it came from a listing or a lookup.
    /// </summary>
    /// <exception cref="DockerApiException">404 when there is no such container.</exception>
    public static async Task<DockContainer> DescribeAsync(DockerClient client, string idOrName, bool size, string address, CancellationToken cancellationToken)
    {
        var inspect = await client.Containers.InspectContainerAsync(idOrName, new ContainerInspectParameters { IncludeSize = size }, cancellationToken).ConfigureAwait(false);
        var summary = (await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Size = size,
            Filters = Filters([], ("id", inspect.ID)),
        }, cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.ID == inspect.ID);
        return From(summary, inspect, address);
    }

    /// <summary>Docker list filters from label selectors (key or key=value) and other single values.</summary>
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

    /// <summary>Whether <paramref name="error"/> is the daemon's 404.</summary>
    public static bool IsNotFound(Exception error) => error is DockerApiException { StatusCode: System.Net.HttpStatusCode.NotFound };

    /// <summary>Whether <paramref name="error"/> is the daemon's 409.</summary>
    public static bool IsConflict(Exception error) => error is DockerApiException { StatusCode: System.Net.HttpStatusCode.Conflict };
}

/// <summary>Tab completion of container names from the daemon the command addresses.</summary>
public sealed class ContainerNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var address = DaemonAddress.Resolve(fakeBoundParameters["HostAddress"] as string);
        if (!DaemonProcess.Answers(address)) { return []; }
        try
        {
            using var client = new DockerClientBuilder().WithEndpoint(DaemonAddress.ToEndpoint(address)).Build();
            var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            return client.Containers.ListContainersAsync(new ContainersListParameters { All = true }).GetAwaiter().GetResult()
                .Select(c => (c.Names?.FirstOrDefault() ?? c.ID).TrimStart('/'))
                .Where(pattern.IsMatch)
                .Order(StringComparer.Ordinal)
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
        {
            return [];
        }
    }
}
