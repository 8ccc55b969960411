namespace DockPS.Client;

/// <summary>
/// An IProgress that runs its handler at once on the reporting thread. Progress&lt;T&gt; posts to
/// the thread pool, so its last reports can arrive after the awaited call has finished.
/// </summary>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => handler(value);
}
