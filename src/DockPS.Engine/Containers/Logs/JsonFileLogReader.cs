using System.Runtime.CompilerServices;

namespace DockPS.Engine.Containers.Logs;

/// <summary>
/// Reads a container's log in Docker's json-file format — one JSON record a line in <c>path</c>,
/// older records in its rotations <c>path.1</c> … <c>path.N-1</c> — while another process writes,
/// flushes and rotates it. One reader serves one read (one <c>docker logs</c> request).
/// </summary>
/// <remarks>
/// Following polls the file rather than watching it with inotify: a watch costs an inotify instance
/// per follower (128 per user by default, shared with everything else on the host) and still needs
/// the same name and size checks to tell a rotation from an append, while a look every few
/// milliseconds to a tenth of a second costs two system calls. See <see cref="LogReadOptions"/> for
/// the tail, since and until rules.
/// </remarks>
public sealed class JsonFileLogReader
{
    private static readonly TimeSpan DefaultMaxPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(5);

    private LogBatch? _batch;

    /// <summary>Creates a reader of the log at <paramref name="path"/>.</summary>
    /// <param name="path">The current log file (<c>…-json.log</c>); its rotations are found beside it.</param>
    /// <param name="options">What to read.</param>
    public JsonFileLogReader(string path, LogReadOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Stdout && !options.Stderr) { throw new ArgumentException("Choose at least one stream (stdout, stderr).", nameof(options)); }
        if (options.Tail is < 0) { throw new ArgumentOutOfRangeException(nameof(options), options.Tail, "Tail cannot be negative; null reads every record."); }
        Path = path;
        Options = options;
    }

    /// <summary>The current log file.</summary>
    public string Path { get; }

    /// <summary>What is read.</summary>
    public LogReadOptions Options { get; }

    /// <summary>How many lines were skipped because they were no record (torn by a crash, damaged).</summary>
    public long CorruptLines => _batch?.CorruptLines ?? 0;

    /// <summary>Where the most recent skipped line was, and why; null while none was.</summary>
    public LogCorruption? LastCorruption => _batch?.LastCorruption;

    /// <summary>How long following waits at most between two looks at the file.</summary>
    internal TimeSpan MaxPollInterval { get; init; } = DefaultMaxPollInterval;

    /// <summary>
    /// The records, oldest first. Without <see cref="LogReadOptions.Follow"/> the read ends at what the
    /// files held when it began; with it, the read waits for more, across rotations, until
    /// <paramref name="writerStopped"/> completes (then what was written before is read, and the read
    /// ends) or <paramref name="cancellationToken"/> is cancelled (<see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="writerStopped">Completes once the writer has stopped for good (the container exited
    /// and its monitor closed the log); null to follow until cancelled.</param>
    /// <param name="cancellationToken">Ends the read.</param>
    public async IAsyncEnumerable<LogEntry> ReadAsync(Task? writerStopped = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batch = _batch = new LogBatch(Options);
        var (files, hasCurrent) = await LogFiles.OpenAllAsync(Path, cancellationToken).ConfigureAwait(false);
        using var reader = new LogBlockReader();
        OpenLogFile? current = null;
        try
        {
            var (first, offset) = Options.Tail is { } tail
                ? await LogTail.FindStartAsync(files, tail, cancellationToken).ConfigureAwait(false)
                : (0, 0L);
            for (var i = first; i < files.Count; i++)
            {
                reader.Start(files[i], i == first ? offset : 0);
                BlockRead read;
                while ((read = await reader.ReadAsync(files[i].Length, batch, cancellationToken).ConfigureAwait(false)) == BlockRead.Data)
                {
                    foreach (var entry in batch.Entries) { yield return entry; }
                    batch.Clear();
                    if (batch.UntilReached) { yield break; }
                }
                // A rotated file is complete; the current one may end with a record still being written
                // (and if it was cut meanwhile, following notices again and starts it over).
                if (i < files.Count - 1 || !hasCurrent || read == BlockRead.Truncated) { reader.Finish(batch); }
            }
            if (!Options.Follow) { yield break; }

            // Follow from the last file opened; the others are done with.
            if (files.Count > 0)
            {
                current = files[^1];
                files.RemoveAt(files.Count - 1);
            }
            files.ForEach(f => f.Dispose());
            files.Clear();

            var stopping = false;
            var poll = MinPollInterval;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Looked for before reading: if the writer has moved on, the read below takes the rest
                // of the old file, complete since the writer finished it before creating the next.
                var next = LogFiles.FindNext(Path, current);
                var progressed = false;
                while (current is not null)
                {
                    var read = await reader.ReadAsync(long.MaxValue, batch, cancellationToken).ConfigureAwait(false);
                    if (read == BlockRead.Nothing) { break; }
                    if (read == BlockRead.Truncated)
                    {
                        // One-file rotation: what was not read before the cut is gone; start over.
                        reader.Finish(batch);
                        reader.Start(current, 0);
                        continue;
                    }
                    progressed = true;
                    foreach (var entry in batch.Entries) { yield return entry; }
                    batch.Clear();
                    if (batch.UntilReached) { yield break; }
                }

                if (next is not null)
                {
                    reader.Finish(batch);
                    current?.Dispose();
                    current = next;
                    reader.Start(current, 0);
                    continue;
                }
                if (stopping)
                {
                    reader.Finish(batch);
                    yield break;
                }

                // Quick looks while records flow, slower ones while the container is quiet.
                poll = progressed ? MinPollInterval : TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPollInterval.Ticks));
                stopping = await WaitAsync(poll, writerStopped, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            current?.Dispose();
            files.ForEach(f => f.Dispose());
        }
    }

    // True when the writer has stopped: one more look, and the read ends.
    private static async Task<bool> WaitAsync(TimeSpan delay, Task? writerStopped, CancellationToken cancellationToken)
    {
        if (writerStopped is { IsCompleted: true }) { return true; }
        var sleep = Task.Delay(delay, cancellationToken);
        if (writerStopped is null)
        {
            await sleep.ConfigureAwait(false);
            return false;
        }
        var first = await Task.WhenAny(sleep, writerStopped).ConfigureAwait(false);
        if (first == sleep) { await sleep.ConfigureAwait(false); }
        return first == writerStopped;
    }
}
