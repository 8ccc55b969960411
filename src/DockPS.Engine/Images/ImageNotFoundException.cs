namespace DockPS.Engine.Images;

/// <summary>No image answers to a name or ID.</summary>
public sealed class ImageNotFoundException(string reference)
    : KeyNotFoundException($"No such image: {reference}")
{
    /// <summary>What was asked for.</summary>
    public string Reference { get; } = reference;
}

/// <summary>An operation that would break something that depends on the image (a conflict).</summary>
public sealed class ImageConflictException(string message) : InvalidOperationException(message);
