using DockPS.Engine.Events;

namespace DockPS.Engine.Tests.Events;

public class EventLogTests
{
    private static async Task<List<EngineEvent>> Collect(IAsyncEnumerable<EngineEvent> events, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        var list = new List<EngineEvent>();
        try { await foreach (var e in events.WithCancellation(cts.Token)) { list.Add(e); } }
        catch (OperationCanceledException) { }
        return list;
    }

    [Fact]
    public async Task SinceReplaysHistoryAndUntilInThePastEndsTheStream()
    {
        var log = new EventLog();
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        log.Publish("daemon", "reload", "d1");
        log.Publish("container", "start", "c1");
        var events = await Collect(log.Subscribe(start, DateTimeOffset.UtcNow.AddMilliseconds(1), EventFilter.None, default), TimeSpan.FromSeconds(10));
        Assert.Equal(["reload", "start"], events.Select(e => e.Action));
        Assert.Equal(0, log.ListenerCount);
    }

    [Fact]
    public async Task WithoutSinceOnlyLiveEventsArrive()
    {
        var log = new EventLog();
        log.Publish("daemon", "reload", "old");
        using var cts = new CancellationTokenSource();
        var received = new List<EngineEvent>();
        var reader = Task.Run(async () =>
        {
            try { await foreach (var e in log.Subscribe(null, null, EventFilter.None, cts.Token)) { received.Add(e); cts.Cancel(); } }
            catch (OperationCanceledException) { }
        });
        SpinWait.SpinUntil(() => log.ListenerCount == 1, TimeSpan.FromSeconds(10));
        log.Publish("daemon", "reload", "new");
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["new"], received.Select(e => e.ActorId));
        Assert.Equal(0, log.ListenerCount);
    }

    [Fact]
    public async Task UntilInTheFutureStopsTheLiveStream()
    {
        var log = new EventLog();
        var events = await Collect(log.Subscribe(null, DateTimeOffset.UtcNow.AddMilliseconds(200), EventFilter.None, default), TimeSpan.FromSeconds(10));
        Assert.Empty(events);
        Assert.Equal(0, log.ListenerCount);
    }

    [Fact]
    public void EventTimesStrictlyIncrease()
    {
        var log = new EventLog();
        var times = Enumerable.Range(0, 100).Select(i => log.Publish("daemon", "reload", "d").TimeNano).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(times.Count, times.Distinct().Count());
    }

    [Fact]
    public async Task HistoryIsBounded()
    {
        var log = new EventLog();
        for (var i = 0; i < EventLog.HistorySize + 10; i++) { log.Publish("daemon", "reload", i.ToString()); }
        var events = await Collect(log.Subscribe(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddMilliseconds(1), EventFilter.None, default), TimeSpan.FromSeconds(10));
        Assert.Equal(EventLog.HistorySize, events.Count);
        Assert.Equal("10", events[0].ActorId);
    }
}
