namespace DockPS.Types;

/// <summary>A volume on a daemon (New-Volume, Get-Volume): data that outlives containers.</summary>
public sealed class DockVolume
{
    /// <summary>The volume's name (64 hex digits for an anonymous volume).</summary>
    public string Name { get; init; } = "";

    /// <summary>The volume driver (local).</summary>
    public string Driver { get; init; } = "";

    /// <summary>Where the data lives on the daemon's host.</summary>
    public string Mountpoint { get; init; } = "";

    /// <summary>When the volume was created (local time); default when the daemon did not say.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>User metadata.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Driver options it was created with (type, device, o for the local driver).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>local (this host) or global (a cluster).</summary>
    public string Scope { get; init; } = "local";

    /// <summary>Whether the volume was made without a name (Docker's com.docker.volume.anonymous label); Clear-Volume removes these without -All.</summary>
    public bool Anonymous => Labels.ContainsKey("com.docker.volume.anonymous");

    /// <summary>Size and reference count, when the daemon reports them (disk-usage answers); else null.</summary>
    public DockVolumeUsage? UsageData { get; init; }

    /// <summary>The daemon the volume is on.</summary>
    public string HostAddress { get; init; } = "";

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>How much a volume holds and how many containers reference it.</summary>
public sealed class DockVolumeUsage
{
    /// <summary>Bytes of data; -1 when the driver cannot tell.</summary>
    public long Size { get; init; }

    /// <summary>Containers referencing the volume; -1 when unknown.</summary>
    public long RefCount { get; init; }
}
