using DockPS.Engine.Filters;

namespace DockPS.Engine.Events;

/// <summary>
/// Docker's event filter rules over a <see cref="FilterSet"/>: <c>type</c>, <c>event</c>,
/// <c>scope</c> and <c>label</c> filters, and one per object type (<c>container=</c>, <c>image=</c>,
/// …) matching the actor's ID or name by prefix. An object-type filter keeps out every event that
/// is not about such an object.
/// </summary>
public sealed class EventFilter
{
    private static readonly IReadOnlySet<string> Accepted =
        new HashSet<string>(EventTypes.All.Concat(["type", "event", "scope", "label"]), StringComparer.Ordinal);

    private readonly FilterSet _filters;

    /// <summary>Wraps filters after checking every key is one events understand.</summary>
    /// <exception cref="FilterException">An unknown key.</exception>
    public EventFilter(FilterSet filters)
    {
        filters.Validate(Accepted);
        foreach (var type in filters.Get("type"))
        {
            if (!EventTypes.All.Contains(type)) { throw new FilterException($"invalid filter 'type={type}'"); }
        }
        _filters = filters;
    }

    /// <summary>A filter that lets every event through.</summary>
    public static EventFilter None { get; } = new(FilterSet.Empty);

    /// <summary>Whether <paramref name="e"/> passes.</summary>
    public bool Includes(EngineEvent e) =>
        MatchAction(e.Action) &&
        _filters.ExactMatch("type", e.Type) &&
        _filters.ExactMatch("scope", e.Scope) &&
        _filters.MatchLabels("label", e.Attributes) &&
        EventTypes.All.All(type => MatchActor(type, e));

    private bool MatchAction(string action)
    {
        // "exec_start: sh -c …" is matched by "exec_start", as Docker does.
        var colon = action.IndexOf(':');
        return _filters.ExactMatch("event", action) || (colon > 0 && _filters.ExactMatch("event", action[..colon]));
    }

    private bool MatchActor(string type, EngineEvent e)
    {
        if (!_filters.Contains(type)) { return true; }
        if (e.Type != type) { return false; }
        e.Attributes.TryGetValue("name", out var name);
        return _filters.FuzzyMatch(type, e.ActorId) || _filters.FuzzyMatch(type, name);
    }
}
