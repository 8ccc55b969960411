namespace DockPS.Engine.Images;

/// <summary>
/// Which containers an image's layers are under. Containers implement it and register it on
/// <see cref="ImageService.Users"/>, so image removal and pruning can refuse or skip an image
/// in use without the image side depending on container code.
/// </summary>
public interface IImageUsers
{
    /// <summary>The containers made from the image, each with whether it runs; empty when none.</summary>
    IReadOnlyList<ImageUser> ContainersUsing(Digest imageId);
}

/// <summary>A container made from an image.</summary>
/// <param name="ContainerId">The container's full ID.</param>
/// <param name="Running">Whether it runs now.</param>
public sealed record ImageUser(string ContainerId, bool Running);

/// <summary>The users in force until containers register theirs: no image is in use.</summary>
public sealed class NoImageUsers : IImageUsers
{
    /// <summary>The one instance.</summary>
    public static NoImageUsers Instance { get; } = new();

    private NoImageUsers() { }

    /// <inheritdoc/>
    public IReadOnlyList<ImageUser> ContainersUsing(Digest imageId) => [];
}
