namespace DockPS.Types;

/// <summary>One event from the daemon's event stream.</summary>
public sealed class DockEvent
{
    /// <summary>When it happened (local time).</summary>
    public DateTime Time { get; init; }

    /// <summary>Object type: container, image, volume, network, daemon.</summary>
    public string Type { get; init; } = "";

    /// <summary>What happened: create, start, die, reload, …</summary>
    public string Action { get; init; } = "";

    /// <summary>The object's ID.</summary>
    public string ActorId { get; init; } = "";

    /// <summary>The object's name, when it has one.</summary>
    public string? ActorName { get; init; }

    /// <summary>The actor's attributes (name, labels, exit code, …).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>local or swarm.</summary>
    public string Scope { get; init; } = "local";

    /// <summary>Unix time in nanoseconds, for ordering and for -Since of a later call.</summary>
    public long TimeNano { get; init; }
}
