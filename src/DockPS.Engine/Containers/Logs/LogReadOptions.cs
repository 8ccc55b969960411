namespace DockPS.Engine.Containers.Logs;

/// <summary>
/// What to read from a container's log: the query of Docker's <c>GET /containers/{id}/logs</c>
/// without its formatting (timestamps are for whoever puts the entries on the wire: <see cref="LogStreamWriter"/>).
/// </summary>
/// <remarks>
/// The semantics are Docker's (moby's json-file reader), so the same query answers the same:
/// <list type="bullet">
/// <item><see cref="Tail"/> counts records from the end across the rotated files first, both streams
/// alike; <see cref="Since"/>, <see cref="Until"/> and the stream selection then filter those.</item>
/// <item><see cref="Since"/> is inclusive: records before it are skipped until the first record at or
/// after it; from there on every record passes, so a clock that stepped back loses nothing later.</item>
/// <item><see cref="Until"/> is inclusive: the first record after it ends the read, following included.</item>
/// </list>
/// </remarks>
public sealed record LogReadOptions
{
    /// <summary>Return what the container wrote to standard output.</summary>
    public bool Stdout { get; init; } = true;

    /// <summary>Return what the container wrote to standard error.</summary>
    public bool Stderr { get; init; } = true;

    /// <summary>After the records there are, wait for more until the writer stops or the read is cancelled.</summary>
    public bool Follow { get; init; }

    /// <summary>Only the last this many records (0: none, only what follows); null for all.</summary>
    public int? Tail { get; init; }

    /// <summary>Skip records written before this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>End at the first record written after this time.</summary>
    public DateTimeOffset? Until { get; init; }
}
