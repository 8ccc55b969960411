namespace DockPS.Types;

/// <summary>A dockps-registry process started by <c>Start-Registry</c>.</summary>
/// <param name="Address">host:port to name images with (<c>127.0.0.1:5000/team/app:1</c>); loopback when it listens on every address.</param>
/// <param name="Port">The TCP port; binds to -Port of Stop-Registry by property name.</param>
/// <param name="ListenAddress">The IP address it listens on.</param>
/// <param name="Path">Its storage folder.</param>
/// <param name="Pid">Process ID.</param>
/// <param name="Tls">Whether it serves HTTPS.</param>
/// <param name="Auth">None, or Password (htpasswd users, bearer tokens).</param>
/// <param name="HtpasswdPath">The users file, when Auth is Password.</param>
/// <param name="LogPath">Its log file.</param>
/// <param name="StartTime">When it started (local time).</param>
public sealed record DockRegistryServer(string Address, int Port, string ListenAddress, string Path, int Pid, bool Tls, string Auth,
    string? HtpasswdPath, string LogPath, DateTime StartTime)
{
    /// <summary>The base URL, http:// or https://.</summary>
    public string Url => (Tls ? "https://" : "http://") + Address;
}
