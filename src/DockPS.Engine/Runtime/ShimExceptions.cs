namespace DockPS.Engine.Runtime;

/// <summary>Something went wrong between the engine and a dockps-shim.</summary>
public class ShimException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public ShimException(string message) : base(message) { }

    /// <summary>A failure caused by another exception.</summary>
    public ShimException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The OCI runtime refused: create, start or exec failed. <see cref="Exception.Message"/> is the
/// runtime's own explanation (its last logged error) when it logged one, else its exit status.
/// </summary>
public sealed class RuntimeFailedException(string message) : ShimException(message);

/// <summary>The shim refused a request that makes no sense in its state (a second start, a start after the exit).</summary>
public sealed class ShimRequestException(string message) : ShimException(message);

/// <summary>
/// No shim answers at the state directory: it has exited (its exit file tells how the process
/// ended) or never ran.
/// </summary>
public sealed class ShimUnavailableException : ShimException
{
    /// <summary>No shim answered at <paramref name="stateDirectory"/>.</summary>
    public ShimUnavailableException(string stateDirectory, Exception? inner = null)
        : base($"no dockps-shim answers in {stateDirectory}", inner ?? new IOException("the shim closed the connection"))
    {
        StateDirectory = stateDirectory;
    }

    /// <summary>The state directory asked.</summary>
    public string StateDirectory { get; }
}
