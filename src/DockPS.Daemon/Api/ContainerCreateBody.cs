using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>
/// The body of <c>POST /containers/create</c>: the container's <c>Config</c> fields with its
/// <c>HostConfig</c>. Read into this shape rather than Docker.DotNet's, whose StopTimeout needs a
/// converter the daemon cannot reach; unknown fields are ignored, as dockerd ignores them.
/// </summary>
public sealed class ContainerCreateBody
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public Dictionary<string, JsonElement>? ExposedPorts { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    [JsonConverter(typeof(StringOrListConverter))] public List<string>? Cmd { get; set; }
    public JsonElement? Healthcheck { get; set; }
    public string? Image { get; set; }
    public Dictionary<string, JsonElement>? Volumes { get; set; }
    public string? WorkingDir { get; set; }
    [JsonConverter(typeof(StringOrListConverter))] public List<string>? Entrypoint { get; set; }
    public bool? NetworkDisabled { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? StopSignal { get; set; }
    /// <summary>Seconds.</summary>
    public int? StopTimeout { get; set; }
    public List<string>? Shell { get; set; }
    public HostConfig? HostConfig { get; set; }
    public NetworkingConfig? NetworkingConfig { get; set; }
}

/// <summary>Old clients send Cmd and Entrypoint as one string; newer ones as a list.</summary>
public sealed class StringOrListConverter : JsonConverter<List<string>>
{
    /// <inheritdoc/>
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("expected a list of strings"));
                }
                return list;
            default: throw new JsonException("expected a string or a list of strings");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value) { writer.WriteStringValue(item); }
        writer.WriteEndArray();
    }
}
