using System.Reflection;

namespace DockPS.Daemon;

/// <summary>What this build of dockpsd is.</summary>
public static class DaemonInfo
{
    /// <summary>The product version (from the build's Version property).</summary>
    public static string Version { get; } =
        typeof(DaemonInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>The source revision baked in at build time, when known.</summary>
    public static string GitCommit { get; } =
        typeof(DaemonInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } v && v.Contains('+')
            ? v[(v.IndexOf('+') + 1)..] : "";

    /// <summary>When the daemon binary was built (the executable's file time).</summary>
    public static DateTime BuildTime { get; } = File.GetLastWriteTimeUtc(Environment.ProcessPath ?? AppContext.BaseDirectory);
}
