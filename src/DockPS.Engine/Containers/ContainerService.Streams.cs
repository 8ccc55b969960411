using System.Buffers.Binary;
using DockPS.Engine.Filters;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Containers;

/// <summary>What an attached client takes and gives.</summary>
/// <param name="Stdin">The client sends stdin.</param>
/// <param name="Stdout">The client wants stdout.</param>
/// <param name="Stderr">The client wants stderr.</param>
/// <param name="Stream">Stream output as it comes (else only logs, then return).</param>
/// <param name="Logs">Replay the log first.</param>
public sealed record AttachOptions(bool Stdin, bool Stdout, bool Stderr, bool Stream, bool Logs);

// Attach, resize, sizes and prune.
public sealed partial class ContainerService
{
    /// <summary>
    /// Connects a client to the container's streams until its process ends (or the client goes).
    /// Before start, the client waits and is connected between create and start, so it misses no
    /// output. Without a terminal, output goes in Docker's 8-byte-header frames; with one, raw.
    /// </summary>
    public async Task AttachAsync(string id, AttachOptions options, Stream? input, Stream output, CancellationToken cancellationToken)
    {
        var container = _store.Find(id);
        if (options.Logs && LogOptions.Enabled(container.Config.Host.Log))
        {
            await CopyLogAsync(container, options, output, cancellationToken);
        }
        if (!options.Stream) { return; }
        var live = Live(container.Id);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Connect(string stateDir)
        {
            var withStdin = options.Stdin && input is not null;
            var shim = await new ShimConnection(stateDir).AttachAsync(withStdin, options.Stdout, options.Stderr, cancellationToken);
            _ = PumpAsync(shim, withStdin ? input : null, output, container.Config.Tty, cancellationToken).ContinueWith(t =>
            {
                if (t.Exception is { } e) { done.TrySetException(e.InnerExceptions); } else { done.TrySetResult(); }
            }, TaskScheduler.Default);
        }
        PendingAttach? pending = null;
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            container = _store.Get(container.Id) ?? throw new ContainerNotFoundException(id);
            if (container.State.Running) { await Connect(_platform.Runtime.ContainerDir(container.Id)); }
            else { pending = new PendingAttach(Connect, done); live.PendingAttaches.Add(pending); }
        }
        finally { live.Gate.Release(); }
        using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        try { await done.Task; }
        catch (OperationCanceledException) when (pending is not null)
        {
            await live.Gate.WaitAsync(CancellationToken.None);
            try { live.PendingAttaches.Remove(pending); } finally { live.Gate.Release(); }
            throw;
        }
    }

    // Output from the monitor comes framed; a terminal's is sent raw. Stdin goes to the monitor
    // until the client half-closes, which the monitor passes on (closing stdin for StdinOnce).
    private static async Task PumpAsync(ShimAttachStream shim, Stream? input, Stream output, bool tty, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = input is null ? Task.CompletedTask : Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await input.ReadAsync(buffer, stop.Token)) > 0)
                {
                    await shim.WriteAsync(buffer.AsMemory(0, read), stop.Token);
                }
                shim.CloseStdin();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
        }, CancellationToken.None);
        try
        {
            var header = new byte[8];
            var body = new byte[64 * 1024];
            while (await ReadFullyAsync(shim, header, cancellationToken))
            {
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                if (!tty) { await output.WriteAsync(header, cancellationToken); }
                while (length > 0)
                {
                    var chunk = await shim.ReadAsync(body.AsMemory(0, Math.Min(length, body.Length)), cancellationToken);
                    if (chunk == 0) { return; }
                    await output.WriteAsync(body.AsMemory(0, chunk), cancellationToken);
                    length -= chunk;
                }
                await output.FlushAsync(cancellationToken);
            }
        }
        catch (IOException) { }
        finally
        {
            await stop.CancelAsync();
            await stdin;
            await shim.DisposeAsync();
        }
    }

    private static async Task<bool> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) { return false; }
            filled += read;
        }
        return true;
    }

    /// <summary>Sets the terminal size of a running container.</summary>
    public async Task ResizeAsync(string id, int height, int width, CancellationToken cancellationToken)
    {
        var container = _store.Find(id);
        if (!container.State.Running) { throw new ContainerConflictException($"Container {container.Id} is not running"); }
        if (height < 0 || width < 0) { throw new ArgumentException("height and width must not be negative"); }
        await new ShimConnection(_platform.Runtime.ContainerDir(container.Id)).ResizeAsync(height, width, cancellationToken);
    }

    /// <summary>Bytes the container changed (its upper directory), and that plus its image.</summary>
    public (long Rw, long RootFs) Size(ContainerRecord container)
    {
        var rw = Native.DiskUsage.Of(_files.UpperOf(container.Id));
        var image = _images.Store.Get(Images.Digest.Parse(container.ImageId));
        return (rw, rw + (image?.Size ?? 0));
    }

    /// <summary>Removes stopped containers (filters <c>until</c>, <c>label</c>, <c>label!</c>).</summary>
    public async Task<(IReadOnlyList<string> Removed, long SpaceReclaimed)> PruneAsync(FilterSet filters, CancellationToken cancellationToken)
    {
        filters.Validate(new HashSet<string> { "until", "label", "label!" });
        var until = filters.Until(DateTimeOffset.UtcNow);
        var removed = new List<string>();
        long reclaimed = 0;
        foreach (var container in _store.All().Where(c => !c.State.Running && c.Created < until
            && filters.MatchLabels("label", c.Labels) && filters.MatchNoLabel("label!", c.Labels)))
        {
            var size = Native.DiskUsage.Of(_files.UpperOf(container.Id));
            try
            {
                await RemoveAsync(container.Id, force: false, removeVolumes: false, cancellationToken);
                removed.Add(container.Id);
                reclaimed += size;
            }
            catch (ContainerConflictException) { }
            catch (ContainerNotFoundException) { }
        }
        _events.Publish(Events.EventTypes.Container, "prune", "", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return (removed, reclaimed);
    }
}
