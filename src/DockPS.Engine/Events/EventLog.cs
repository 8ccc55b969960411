using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace DockPS.Engine.Events;

/// <summary>
/// The engine's event stream: a bounded in-memory history (replayed for <c>since</c>) plus live
/// delivery to subscribers. A slow subscriber never blocks the engine: its queue is bounded and
/// it loses the oldest events it has not read, as Docker drops events for slow listeners.
/// </summary>
public sealed class EventLog
{
    /// <summary>How many past events are kept for replay.</summary>
    public const int HistorySize = 1024;

    private const int SubscriberQueue = 4096;

    private readonly Lock _gate = new();
    private readonly Queue<EngineEvent> _history = new();
    private readonly List<Channel<EngineEvent>> _subscribers = [];
    private readonly TimeProvider _clock;
    private long _lastNano;

    /// <summary>Creates an empty log on the given clock (tests pass their own).</summary>
    public EventLog(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>How many subscribers are listening now (Docker's NEventsListener).</summary>
    public int ListenerCount { get { lock (_gate) { return _subscribers.Count; } } }

    /// <summary>The current time in Unix nanoseconds, strictly increasing across events.</summary>
    private long NextTimeNano()
    {
        var now = (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        _lastNano = Math.Max(now, _lastNano + 1);
        return _lastNano;
    }

    /// <summary>Records an event and delivers it to every subscriber.</summary>
    public EngineEvent Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        lock (_gate)
        {
            var e = new EngineEvent(type, action, actorId,
                attributes ?? new Dictionary<string, string>(), NextTimeNano());
            _history.Enqueue(e);
            if (_history.Count > HistorySize) { _history.Dequeue(); }
            foreach (var subscriber in _subscribers) { subscriber.Writer.TryWrite(e); }
            return e;
        }
    }

    /// <summary>
    /// Past events from <paramref name="since"/> on, then live ones until <paramref name="until"/>
    /// (or until cancelled when it is null), all passing <paramref name="filter"/>. With
    /// <paramref name="until"/> in the past, only history is returned.
    /// </summary>
    public async IAsyncEnumerable<EngineEvent> Subscribe(
        DateTimeOffset? since, DateTimeOffset? until, EventFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sinceNano = since is { } s ? (s - DateTimeOffset.UnixEpoch).Ticks * 100 : long.MaxValue;
        var untilNano = until is { } u ? (u - DateTimeOffset.UnixEpoch).Ticks * 100 : long.MaxValue;
        var live = Channel.CreateBounded<EngineEvent>(
            new BoundedChannelOptions(SubscriberQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        EngineEvent[] replay;
        bool goLive;
        lock (_gate)
        {
            // Snapshot and registration under one lock: no event is both replayed and delivered, none is missed.
            replay = since is null ? [] : _history.Where(e => e.TimeNano >= sinceNano && e.TimeNano <= untilNano).ToArray();
            goLive = untilNano > NowNano();
            if (goLive) { _subscribers.Add(live); }
        }
        try
        {
            foreach (var e in replay)
            {
                if (filter.Includes(e)) { yield return e; }
            }
            if (!goLive) { yield break; }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (until is { } end) { deadline.CancelAfter(Clamp(end - _clock.GetUtcNow())); }
            while (true)
            {
                EngineEvent next;
                try { next = await live.Reader.ReadAsync(deadline.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { yield break; }
                if (next.TimeNano > untilNano) { yield break; }
                if (filter.Includes(next)) { yield return next; }
            }
        }
        finally
        {
            lock (_gate) { _subscribers.Remove(live); }
        }
    }

    private long NowNano() => (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static TimeSpan Clamp(TimeSpan t) =>
        t < TimeSpan.Zero ? TimeSpan.Zero : t > TimeSpan.FromDays(1000) ? TimeSpan.FromDays(1000) : t;
}
