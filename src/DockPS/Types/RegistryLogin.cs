namespace DockPS.Types;

/// <summary>A registry login that Connect-Registry checked and stored. It never holds the password.</summary>
/// <param name="Registry">The registry, host[:port]; binds to -Registry of Disconnect-Registry by property name.</param>
/// <param name="UserName">Who logged in.</param>
/// <param name="Persisted">Whether the login was written to a file (true) or kept in this PowerShell session only (false).</param>
/// <param name="ConfigPath">The docker config.json it was written to; null for a session login.</param>
public sealed record RegistryLogin(string Registry, string UserName, bool Persisted, string? ConfigPath);

/// <summary>Where Connect-Registry keeps a login.</summary>
public enum RegistryLoginScope
{
    /// <summary>In the docker config.json (like docker login): other sessions, the docker CLI and dockpsd see it.</summary>
    DockerConfig,

    /// <summary>In memory, for this PowerShell session only; no file is written.</summary>
    Session,
}
