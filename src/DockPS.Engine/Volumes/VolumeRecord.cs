using System.Text.Json.Serialization;

namespace DockPS.Engine.Volumes;

/// <summary>A volume as the engine stores it: data that outlives containers.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Driver">Volume driver ("local").</param>
/// <param name="Mountpoint">Where the data lives on the host.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="Labels">User metadata.</param>
/// <param name="Options">Driver options.</param>
/// <param name="Populated">
/// Whether the volume was ever filled from an image directory. Docker copies an image's files
/// into a volume whenever it finds the volume empty; this marker makes it happen once, so a
/// volume a user emptied on purpose stays empty.
/// </param>
public sealed record VolumeRecord(
    string Name,
    string Driver,
    string Mountpoint,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Options,
    bool Populated = false)
{
    /// <summary>Made without a name (by <c>POST /volumes/create</c> or a container): prune takes these by default.</summary>
    [JsonIgnore]
    public bool IsAnonymous => Labels.ContainsKey(VolumeService.AnonymousLabel);
}
