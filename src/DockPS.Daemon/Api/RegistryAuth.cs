using System.Text;
using System.Text.Json;
using DockPS.Registry.Client.Auth;
using Docker.DotNet.Models;

namespace DockPS.Daemon.Api;

/// <summary>Registry credentials as clients send them: the X-Registry-Auth header and /auth bodies.</summary>
public static class RegistryAuth
{
    /// <summary>
    /// Decodes X-Registry-Auth (base64url of an AuthConfig JSON, padded or not). An empty or
    /// <c>{}</c> header means anonymous; a malformed one is a bad request.
    /// </summary>
    public static RegistryCredential? FromHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) { return null; }
        try
        {
            var base64 = header.Trim().Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var config = JsonSerializer.Deserialize(Convert.FromBase64String(base64), WireJsonContext.Default.AuthConfig);
            return config is null ? null : ToCredential(config);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new BadRequestException("X-Registry-Auth is not base64-encoded JSON credentials");
        }
    }

    /// <summary>The credential in an AuthConfig, or null when it carries none.</summary>
    public static RegistryCredential? ToCredential(AuthConfig config)
    {
        if (!string.IsNullOrEmpty(config.IdentityToken)) { return RegistryCredential.FromIdentityToken(config.IdentityToken, config.Username); }
        if (!string.IsNullOrEmpty(config.Username)) { return new RegistryCredential(config.Username, config.Password ?? ""); }
        if (!string.IsNullOrEmpty(config.Auth))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(config.Auth));
            var colon = pair.IndexOf(':');
            if (colon > 0) { return new RegistryCredential(pair[..colon], pair[(colon + 1)..]); }
        }
        return null;
    }

    /// <summary>The registry host of a serveraddress ("https://host:5000/v2/" → "host:5000").</summary>
    public static string ServerOf(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) { throw new BadRequestException("serveraddress is required: DockPS has no default registry"); }
        var text = address.Trim();
        if (text.Contains("://", StringComparison.Ordinal)) { text = new Uri(text).Authority; }
        return text.TrimEnd('/');
    }
}
