namespace DockPS.Engine.Events;

/// <summary>
/// One thing that happened in the engine, in Docker's event model: an object type, an action,
/// and the actor (the object's ID plus attributes such as its name and labels).
/// </summary>
/// <param name="Type">Object type: container, image, volume, network, daemon, …</param>
/// <param name="Action">What happened: create, start, die, reload, …</param>
/// <param name="ActorId">The object's ID.</param>
/// <param name="Attributes">Name, labels and other facts about the actor.</param>
/// <param name="TimeNano">Unix time in nanoseconds.</param>
public sealed record EngineEvent(
    string Type,
    string Action,
    string ActorId,
    IReadOnlyDictionary<string, string> Attributes,
    long TimeNano)
{
    /// <summary>Events of one engine are local, as opposed to swarm-scoped.</summary>
    public string Scope => "local";

    /// <summary>The event time as a UTC instant.</summary>
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks(TimeNano / 100);
}

/// <summary>The object types Docker's event stream knows.</summary>
public static class EventTypes
{
    public const string Container = "container";
    public const string Image = "image";
    public const string Volume = "volume";
    public const string Network = "network";
    public const string Daemon = "daemon";
    public const string Plugin = "plugin";

    /// <summary>Every filterable object type, each also a filter key matching ID or name.</summary>
    public static readonly IReadOnlyList<string> All =
        [Container, Image, Volume, Network, Daemon, Plugin, "service", "node", "secret", "config"];
}
