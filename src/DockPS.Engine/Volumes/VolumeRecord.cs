namespace DockPS.Engine.Volumes;

/// <summary>A volume as the engine stores it: data that outlives containers.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Driver">Volume driver ("local").</param>
/// <param name="Mountpoint">Where the data lives on the host.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="Labels">User metadata.</param>
/// <param name="Options">Driver options.</param>
public sealed record VolumeRecord(
    string Name,
    string Driver,
    string Mountpoint,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Options);
