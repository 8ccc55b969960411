using System.Management.Automation;
using System.Text.Json;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Gets the containers on the daemon.</para>
/// <para type="description">Lists containers as DockContainer objects, like docker ps: running ones by default, every one with -All. -Name takes names, IDs or wildcard patterns (web*); an exact name or ID returns that container whatever its state, and one that does not exist is a non-terminating ObjectNotFound error. -Label and -Status filter (a -Status filter looks at every container); -Limit keeps the newest n; -Size adds the bytes each one wrote (SizeRw) and its whole size (SizeRootFs).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Container", DefaultParameterSetName = "Name")]
[OutputType(typeof(DockContainer))]
public sealed class GetContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Container names, IDs or wildcard patterns. Without it, every running container (every container with -All).</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary><para type="description">Container IDs, or unique prefixes of them.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "Id")]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    /// <summary><para type="description">Every container, not only running ones (docker ps -a).</para></summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary><para type="description">Only containers with these labels: key, or key=value; several must all match.</para></summary>
    [Parameter]
    public string[]? Label { get; set; }

    /// <summary><para type="description">Only containers in these states.</para></summary>
    [Parameter]
    [ValidateSet("created", "running", "paused", "restarting", "removing", "exited", "dead")]
    public string[]? Status { get; set; }

    /// <summary><para type="description">Only the n most recently created containers, in any state (docker ps -n).</para></summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Limit { get; set; }

    /// <summary><para type="description">Also measure the containers' sizes (SizeRw, SizeRootFs); slower with many or large containers.</para></summary>
    [Parameter]
    public SwitchParameter Size { get; set; }

    #endregion

    private IList<ContainerListResponse>? _list;

    private bool Filtered => Label is { Length: > 0 } || Status is { Length: > 0 } || Limit > 0;

    /// <summary>Writes the containers each name or ID selects (the listing when none is given).</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var lookups = ParameterSetName == "Id" ? Id : Name;
            if (lookups is null) { WriteContainers(_ => true); return; }
            foreach (var name in lookups)
            {
                if (ParameterSetName == "Name" && WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
                    WriteContainers(c => pattern.IsMatch(NameOf(c)));
                    continue;
                }
                // With filters an exact name is one more condition, and a container the filters drop is no error.
                if (Filtered) { WriteContainers(c => NameOf(c) == name || c.ID.StartsWith(name, StringComparison.Ordinal)); continue; }
                try
                {
                    WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, name, Size, ResolvedAddress, ct)));
                }
                catch (Exception e) when (ContainerObjects.IsNotFound(e))
                {
                    WriteFailure(e, "ContainerNotFound", name);
                }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "GetContainerFailed", ResolvedAddress);
        }
    }

    private static string NameOf(ContainerListResponse c) => (c.Names?.FirstOrDefault() ?? "").TrimStart('/');

    private void WriteContainers(Func<ContainerListResponse, bool> select)
    {
        _list ??= Call((c, ct) => c.Containers.ListContainersAsync(new ContainersListParameters
        {
            // A state filter means "in that state", running or not, as docker ps -f status= does.
            All = All || Status is { Length: > 0 } || ParameterSetName == "Id" || (Name is not null && Filtered),
            Limit = Limit > 0 ? Limit : null,
            Size = Size,
            Filters = ContainerObjects.Filters(Label, [.. (Status ?? []).Select(s => ("status", (string?)s))]),
        }, ct));
        _states ??= ListedStates();
        foreach (var summary in _list.Where(select))
        {
            // Docker's summary lacks times and exit codes: dockpsd lists them too, and another
            // engine's containers are inspected one by one. A container removed between the two
            // calls is simply gone.
            if (!_states.TryGetValue(summary.ID, out var inspect))
            {
                try { inspect = Call((c, ct) => c.Containers.InspectContainerAsync(summary.ID, ct)); }
                catch (Exception e) when (ContainerObjects.IsNotFound(e)) { continue; }
            }
            WriteObject(ContainerObjects.From(summary, inspect, ResolvedAddress));
        }
    }

    private Dictionary<string, ContainerInspectResponse>? _states;

    // The state and terminal dockpsd adds to each listed container (DockPSState, DockPSTty), as the
    // part of an inspect answer they replace; empty from an engine that does not add them.
    private Dictionary<string, ContainerInspectResponse> ListedStates()
    {
        using var response = Call((_, ct) => Http.SendAsync(HttpMethod.Get, "containers/json?all=1", ct));
        var states = new Dictionary<string, ContainerInspectResponse>(StringComparer.Ordinal);
        if (!response.IsSuccessStatusCode) { return states; }
        using var body = JsonDocument.Parse(response.Content.ReadAsStream(Cancellation));
        if (body.RootElement.ValueKind != JsonValueKind.Array) { return states; }
        foreach (var item in body.RootElement.EnumerateArray())
        {
            if (!item.TryGetProperty("Id", out var id) || !item.TryGetProperty("DockPSState", out var state) || state.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            states[id.GetString() ?? ""] = new ContainerInspectResponse
            {
                State = state.Deserialize<State>(),
                Config = new ContainerConfig { Tty = item.TryGetProperty("DockPSTty", out var tty) && tty.ValueKind == JsonValueKind.True },
            };
        }
        return states;
    }
}
