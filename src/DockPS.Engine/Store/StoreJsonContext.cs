using System.Text.Json.Serialization;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Store;

/// <summary>
/// Compile-time JSON metadata for the configuration documents the store keeps. The daemon is
/// compiled ahead of time, so every stored type is listed here.
/// </summary>
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
