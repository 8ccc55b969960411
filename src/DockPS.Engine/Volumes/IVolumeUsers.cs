namespace DockPS.Engine.Volumes;

/// <summary>
/// Who references a volume. Containers implement it (a container's mounts name its volumes) and
/// register it on <see cref="VolumeService.Users"/>; the volume side asks it before removing or
/// pruning, and for the <c>dangling</c> filter, without depending on container code.
/// </summary>
public interface IVolumeUsers
{
    /// <summary>IDs of the containers (running or not) whose configuration mounts <paramref name="volumeName"/>; empty when none.</summary>
    IReadOnlyList<string> ContainersUsing(string volumeName);
}

/// <summary>The users in force until containers register theirs: nobody references any volume.</summary>
public sealed class NoVolumeUsers : IVolumeUsers
{
    /// <summary>The one instance.</summary>
    public static NoVolumeUsers Instance { get; } = new();

    private NoVolumeUsers() { }

    /// <inheritdoc/>
    public IReadOnlyList<string> ContainersUsing(string volumeName) => [];
}
