using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>
/// Compile-time JSON metadata for every type that crosses the wire. dockpsd is compiled ahead of
/// time (no JIT: it starts in tens of milliseconds), so serialization cannot use reflection:
/// a new request or response type must be listed here, and the tests fail until it is.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(SystemInfoResponse))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(VolumesListResponse))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>The Engine API's error body.</summary>
/// <param name="Message">What went wrong, for the user.</param>
public sealed record ErrorResponse([property: JsonPropertyName("message")] string Message);
