using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Engine;

/// <summary>
/// <para type="synopsis">Gets events from the daemon, live or from its recent history.</para>
/// <para type="description">Streams DockEvent objects as the daemon reports them, like docker events. With -Since, past events are replayed first; with -Until, the stream ends at that time, otherwise it runs until Ctrl+C. -Type and -Filter narrow what is returned, with Docker's filter keys (type, event, label, container, image, volume, network, daemon, scope).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockEvent")]
[OutputType(typeof(DockEvent))]
public sealed class GetDockEventCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Replay events from this time on.</para></summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary><para type="description">Stop at this time. A time in the past returns history only.</para></summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary><para type="description">Only events about these object types (container, image, volume, network, daemon, plugin).</para></summary>
    [Parameter(Position = 0)]
    [ValidateSet("container", "image", "volume", "network", "daemon", "plugin")]
    public string[]? Type { get; set; }

    /// <summary><para type="description">Docker event filters: a hashtable of filter key to one value or an array of values, e.g. @{ event = 'reload'; label = 'env=prod' }.</para></summary>
    [Parameter]
    public Hashtable? Filter { get; set; }

    #endregion

    /// <summary>Streams events until -Until passes or Ctrl+C.</summary>
    protected override void EndProcessing()
    {
        var parameters = new ContainerEventsParameters
        {
            Since = Since is { } s ? UnixSeconds(s) : null,
            Until = Until is { } u ? UnixSeconds(u) : null,
            Filters = BuildFilters(),
        };
        try
        {
            Stream<Message>((c, progress, ct) => c.System.MonitorEventsAsync(parameters, progress, ct), m => WriteObject(Convert(m)));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "DockEventFailed", ResolvedAddress);
        }
    }

    private static string UnixSeconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local) : time;
        var ticks = (new DateTimeOffset(utc.ToUniversalTime()) - DateTimeOffset.UnixEpoch).Ticks;
        return $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}";
    }

    private Dictionary<string, IDictionary<string, bool>> BuildFilters()
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (!filters.TryGetValue(key, out var set)) { filters[key] = set = new Dictionary<string, bool>(); }
            set[value] = true;
        }
        foreach (var type in Type ?? []) { Add("type", type); }
        foreach (DictionaryEntry entry in Filter ?? new Hashtable())
        {
            var key = entry.Key.ToString()!;
            var values = LanguagePrimitives.GetEnumerable(entry.Value) is { } many ? many.Cast<object>() : [entry.Value!];
            foreach (var value in values) { Add(key, value?.ToString() ?? ""); }
        }
        return filters;
    }

    private static DockEvent Convert(Message m)
    {
        var attributes = m.Actor?.Attributes is { } a ? new Dictionary<string, string>(a) : new Dictionary<string, string>();
        var nano = m.TimeNano ?? (m.Time ?? 0) * 1_000_000_000;
        return new DockEvent
        {
            Time = DateTimeOffset.UnixEpoch.AddTicks(nano / 100).LocalDateTime,
            Type = m.Type,
            Action = m.Action,
            ActorId = m.Actor?.ID ?? "",
            ActorName = attributes.GetValueOrDefault("name"),
            Attributes = attributes,
            Scope = m.Scope ?? "local",
            TimeNano = nano,
        };
    }
}
