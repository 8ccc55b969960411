using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockPS.Registry.Client;

/// <summary>
/// Compile-time JSON metadata for every document the client reads or writes: the daemon is
/// compiled ahead of time and has no reflection-based serializer.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(CatalogPage))]
[JsonSerializable(typeof(DockerConfigFile))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

/// <summary>The distribution spec's error body: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
internal sealed record ErrorBody(IReadOnlyList<ErrorEntry>? Errors);

internal sealed record ErrorEntry(string? Code, string? Message, JsonElement? Detail);

/// <summary>A token endpoint's answer; older servers say <c>token</c>, OAuth2 ones <c>access_token</c>.</summary>
internal sealed record TokenResponse(
    string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken)
{
    // Records print every property; a token must never reach a log through ToString.
    public override string ToString() => nameof(TokenResponse);
}

internal sealed record TagList(string? Name, IReadOnlyList<string>? Tags);

internal sealed record CatalogPage(IReadOnlyList<string>? Repositories);

/// <summary>The parts of <c>~/.docker/config.json</c> this client reads.</summary>
internal sealed record DockerConfigFile(
    IReadOnlyDictionary<string, DockerConfigAuth>? Auths,
    string? CredsStore,
    IReadOnlyDictionary<string, string>? CredHelpers);

internal sealed record DockerConfigAuth(
    string? Auth,
    string? Username,
    string? Password,
    [property: JsonPropertyName("identitytoken")] string? IdentityToken)
{
    // Records print every property; a password must never reach a log through ToString.
    public override string ToString() => nameof(DockerConfigAuth);
}
