namespace DockPS.Engine.Volumes;

/// <summary>No volume has the name; the message is dockerd's (<c>get NAME: no such volume</c>).</summary>
public sealed class VolumeNotFoundException(string name)
    : KeyNotFoundException($"get {name}: no such volume")
{
    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;
}

/// <summary>The volume driver asked for does not exist (only <c>local</c> does).</summary>
public sealed class VolumeDriverNotFoundException(string volumeName, string driver)
    : KeyNotFoundException($"create {volumeName}: error looking up volume plugin {driver}: plugin \"{driver}\" not found")
{
    /// <summary>The driver asked for.</summary>
    public string Driver { get; } = driver;
}

/// <summary>A volume name or driver option the local driver refuses; the message says which rule.</summary>
public sealed class InvalidVolumeException(string message) : ArgumentException(message);

/// <summary>An operation that would break what depends on a volume (a conflict).</summary>
public class VolumeConflictException(string message) : InvalidOperationException(message);

/// <summary>A volume that containers reference cannot be removed, with or without force (as in Docker).</summary>
public sealed class VolumeInUseException(string name, IReadOnlyList<string> users)
    : VolumeConflictException($"remove {name}: volume is in use - [{string.Join(", ", users)}]")
{
    /// <summary>The containers (or mount references) holding it.</summary>
    public IReadOnlyList<string> Users { get; } = users;
}
