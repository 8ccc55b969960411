using System.Text.Json.Serialization;
using DockPS.Engine.Containers;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Store;

/// <summary>
/// Compile-time JSON metadata for the configuration documents the store keeps. The daemon is
/// compiled ahead of time, so every stored type is listed here.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VolumeRecord))]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
