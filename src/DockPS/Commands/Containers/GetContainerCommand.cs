using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    private List<ListedContainer>? _list;

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
        _list ??= Call((_, ct) => ListAsync(ct));
        foreach (var listed in _list.Where(l => select(l)))
        {
            // Docker's summary lacks times and exit codes: dockpsd lists them too, and another
            // engine's containers are inspected one by one. A container removed between the two
            // calls is simply gone.
            var inspect = listed.DockPSState is { } state
                ? new ContainerInspectResponse { State = state, Config = new ContainerConfig { Tty = listed.DockPSTty } }
                : null;
            if (inspect is null)
            {
                try { inspect = Call((c, ct) => c.Containers.InspectContainerAsync(listed.ID, ct)); }
                catch (Exception e) when (ContainerObjects.IsNotFound(e)) { continue; }
            }
            WriteObject(ContainerObjects.From(listed, inspect, ResolvedAddress));
        }
    }

    // One request, read once: parsing a listing costs as much as the daemon's answering it (about
    // 20 ms for 1,000 containers here), so Docker's summaries and dockpsd's states come together.
    private async Task<List<ListedContainer>> ListAsync(CancellationToken cancellationToken)
    {
        // A state filter means "in that state", running or not, as docker ps -f status= does.
        var all = All || Status is { Length: > 0 } || ParameterSetName == "Id" || (Name is not null && Filtered);
        var query = new List<string> { all ? "all=1" : "all=0" };
        if (Limit > 0) { query.Add($"limit={Limit}"); }
        if (Size) { query.Add("size=1"); }
        var filters = ContainerObjects.Filters(Label, [.. (Status ?? []).Select(s => ("status", (string?)s))]);
        if (filters.Count > 0) { query.Add("filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(filters))); }
        using var response = await Http.SendAsync(HttpMethod.Get, "containers/json?" + string.Join('&', query), cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<List<ListedContainer>>(body, ListedContainer.Json, cancellationToken) ?? [];
    }

    /// <summary>A listed container as dockpsd lists it: Docker's summary, with its state and terminal.</summary>
    private sealed class ListedContainer : ContainerListResponse
    {
        // Docker lists Created in Unix seconds.
        public static readonly JsonSerializerOptions Json = new() { Converters = { new UnixSecondsConverter() } };

        [JsonPropertyName("DockPSState")] public State? DockPSState { get; set; }
        [JsonPropertyName("DockPSTty")] public bool DockPSTty { get; set; }
    }

    private sealed class UnixSecondsConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number ? DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64()).UtcDateTime : reader.GetDateTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
