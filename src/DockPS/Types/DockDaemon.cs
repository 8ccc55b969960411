namespace DockPS.Types;

/// <summary>A dockpsd process started by <c>Start-DockDaemon</c>.</summary>
/// <param name="Pid">Process ID.</param>
/// <param name="HostAddress">Where it listens; binds to -HostAddress of other cmdlets by property name.</param>
/// <param name="DataRoot">Its persistent state folder.</param>
/// <param name="ExecRoot">Its runtime state folder.</param>
/// <param name="LogPath">Its log file.</param>
/// <param name="StartTime">When it started (local time).</param>
public sealed record DockDaemon(int Pid, string HostAddress, string DataRoot, string ExecRoot, string LogPath, DateTime StartTime);
