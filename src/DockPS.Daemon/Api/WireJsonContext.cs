using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>
/// Compile-time JSON metadata for every type that crosses the wire. dockpsd is compiled ahead of
/// time (no JIT: it starts in tens of milliseconds), so serialization cannot use reflection:
/// a new request or response type must be listed here, and the tests fail until it is.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true,
    Converters = [typeof(ConsoleSizeConverter), typeof(NanosecondsConverter), typeof(RestartPolicyKindConverter)])]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(SystemInfoResponse))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(VolumesListResponse))]
[JsonSerializable(typeof(VolumeResponse))]
[JsonSerializable(typeof(VolumesCreateParameters))]
[JsonSerializable(typeof(VolumesPruneResponse))]
[JsonSerializable(typeof(ImageInspectResponse))]
[JsonSerializable(typeof(List<ImageDeleteResponse>))]
[JsonSerializable(typeof(ImagesPruneResponse))]
[JsonSerializable(typeof(JSONMessage))]
[JsonSerializable(typeof(ProgressError))]
[JsonSerializable(typeof(AuthConfig))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(ContainerCreateBody))]
[JsonSerializable(typeof(CreateContainerResponse))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ContainersPruneResponse))]
[JsonSerializable(typeof(ContainerExecCreateParameters))]
[JsonSerializable(typeof(ContainerExecCreateResponse))]
[JsonSerializable(typeof(ContainerExecStartParameters))]
[JsonSerializable(typeof(ContainerExecInspectResponse))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>
/// The list shapes whose times the Engine API sends as Unix seconds (image and container lists,
/// image history), where inspect bodies send RFC 3339 strings.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(UnixSecondsConverter)])]
[JsonSerializable(typeof(List<ImagesListResponse>))]
[JsonSerializable(typeof(List<ImageHistoryResponse>))]
[JsonSerializable(typeof(List<ContainerSummary>))]
internal sealed partial class WireJsonUnixTimeContext : JsonSerializerContext;

/// <summary>Writes (and reads) a time as whole Unix seconds.</summary>
public sealed class UnixSecondsConverter : JsonConverter<DateTime>
{
    /// <inheritdoc/>
    public override DateTime Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64()).UtcDateTime;

    /// <inheritdoc/>
    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTime value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteNumberValue(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeSeconds());
}

/// <summary>The Engine API's error body.</summary>
/// <param name="Message">What went wrong, for the user.</param>
public sealed record ErrorResponse([property: JsonPropertyName("message")] string Message);
