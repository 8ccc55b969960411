using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>A terminal size as the Engine API sends it: <c>[height, width]</c>.</summary>
public sealed class ConsoleSizeConverter : JsonConverter<ConsoleSize>
{
    /// <inheritdoc/>
    public override ConsoleSize? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) { return null; }
        if (reader.TokenType != JsonTokenType.StartArray) { throw new JsonException("ConsoleSize must be [height, width]"); }
        var values = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) { values.Add(reader.GetUInt64()); }
        return values.Count == 2 ? new ConsoleSize { Height = values[0], Width = values[1] } : throw new JsonException("ConsoleSize must be [height, width]");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, ConsoleSize value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Height);
        writer.WriteNumberValue(value.Width);
        writer.WriteEndArray();
    }
}

/// <summary>
/// Durations as the Engine API sends them: integer nanoseconds (health check intervals). The one
/// duration in seconds, <c>StopTimeout</c>, is read by <see cref="ContainerCreateBody"/> itself.
/// </summary>
public sealed class NanosecondsConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc/>
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks(reader.GetInt64() / 100);

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks * 100);
}

/// <summary>Restart policy names as the Engine API spells them (<c>no</c>, <c>always</c>, <c>on-failure</c>, <c>unless-stopped</c>).</summary>
public sealed class RestartPolicyKindConverter : JsonConverter<RestartPolicyKind>
{
    /// <inheritdoc/>
    public override RestartPolicyKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() switch
        {
            null or "" => RestartPolicyKind.Undefined,
            "no" => RestartPolicyKind.No,
            "always" => RestartPolicyKind.Always,
            "on-failure" => RestartPolicyKind.OnFailure,
            "unless-stopped" => RestartPolicyKind.UnlessStopped,
            var other => throw new JsonException($"invalid restart policy: {other}"),
        };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, RestartPolicyKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Name(value));

    /// <summary>The API's name of a policy.</summary>
    public static string Name(RestartPolicyKind value) => value switch
    {
        RestartPolicyKind.No => "no",
        RestartPolicyKind.Always => "always",
        RestartPolicyKind.OnFailure => "on-failure",
        RestartPolicyKind.UnlessStopped => "unless-stopped",
        _ => "",
    };
}
