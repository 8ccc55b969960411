using DockPS.Engine.Volumes;

namespace DockPS.Engine.Containers;

/// <summary>What containers need from the rest of the engine and the host, in one place.</summary>
/// <param name="HostName">The host's name (for host-network containers).</param>
/// <param name="ExecRoot">Runtime state that does not survive a reboot: bundles, monitor sockets.</param>
/// <param name="CgroupVersion">"1" or "2".</param>
/// <param name="ShimPath">The monitor executable.</param>
/// <param name="Volumes">The volumes containers mount.</param>
public sealed record ContainerPlatform(string HostName, string ExecRoot, string CgroupVersion, string ShimPath, VolumeService Volumes)
{
    /// <summary>Per-container runtime state folders.</summary>
    public RuntimeDirectories Runtime => new(ExecRoot);
}

/// <summary>
/// Folders under the exec root: the OCI bundle and monitor state of each container
/// (<c>c/&lt;short id&gt;</c>) and exec process (<c>x/&lt;short id&gt;</c>), and each runtime's
/// own state root. Short IDs keep socket paths under the kernel's 108-byte limit.
/// </summary>
public sealed record RuntimeDirectories(string ExecRoot)
{
    /// <summary>The bundle and monitor folder of a container.</summary>
    public string ContainerDir(string id) => Path.Combine(ExecRoot, "c", id[..16]);

    /// <summary>The monitor folder of an exec process.</summary>
    public string ExecDir(string execId) => Path.Combine(ExecRoot, "x", execId[..16]);

    /// <summary>The state root a runtime keeps its containers in (<c>--root</c>).</summary>
    public string RuntimeRoot(string runtimeName) => Path.Combine(ExecRoot, "runtime", runtimeName);

    /// <summary>Deletes a container's bundle and monitor folder.</summary>
    public void DeleteState(string id)
    {
        var dir = ContainerDir(id);
        // Callers wait for the monitor to be gone (it writes there until its end); gone already is fine.
        try { if (Directory.Exists(dir)) { Directory.Delete(dir, recursive: true); } }
        catch (DirectoryNotFoundException) { }
    }
}
