using DockPS.Engine.Events;
using DockPS.Engine.Store;

namespace DockPS.Engine.Tests;

public class DockEngineTests
{
    private static EngineOptions Options(TempDir dir) => new() { DataRoot = dir["data"], ExecRoot = dir["exec"] };

    [Fact]
    public void OpenCreatesPrivateFoldersAndAStableId()
    {
        using var dir = new TempDir();
        string id;
        using (var engine = DockEngine.Open(Options(dir)))
        {
            id = engine.Id;
            Assert.True(Directory.Exists(engine.TempDirectory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir["data"]));
        }
        using var reopened = DockEngine.Open(Options(dir));
        Assert.Equal(id, reopened.Id);
    }

    [Fact]
    public void ASecondEngineOnTheSameDataRootIsRefusedAndCreatesNothing()
    {
        using var dir = new TempDir();
        using var first = DockEngine.Open(Options(dir));
        var other = Options(dir) with { ExecRoot = dir["exec2"] };
        Assert.Throws<DataRootInUseException>(() => DockEngine.Open(other));
        Assert.False(Directory.Exists(dir["exec2"]));
    }

    [Fact]
    public void TempFilesLeftByAKilledDaemonAreCleared()
    {
        using var dir = new TempDir();
        using (var engine = DockEngine.Open(Options(dir)))
        {
            File.WriteAllText(Path.Combine(engine.TempDirectory, "half-written-blob"), "x");
        }
        using var reopened = DockEngine.Open(Options(dir));
        Assert.Empty(Directory.GetFiles(reopened.TempDirectory));
    }

    [Fact]
    public async Task ReloadAppliesLabelsAndEmitsADaemonReloadEvent()
    {
        using var dir = new TempDir();
        using var engine = DockEngine.Open(Options(dir));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        engine.Reload(engine.Options with { Labels = ["tier=test"] });
        Assert.Equal(["tier=test"], engine.Options.Labels);
        var events = new List<EngineEvent>();
        await foreach (var e in engine.Events.Subscribe(since, DateTimeOffset.UtcNow.AddMilliseconds(1), EventFilter.None, default)) { events.Add(e); }
        var reload = Assert.Single(events);
        Assert.Equal(("daemon", "reload", engine.Id), (reload.Type, reload.Action, reload.ActorId));
        Assert.Equal("[tier=test]", reload.Attributes["labels"]);
    }

    [Fact]
    public void ReloadRefusesToMoveTheDataRoot()
    {
        using var dir = new TempDir();
        using var engine = DockEngine.Open(Options(dir));
        Assert.Throws<InvalidOperationException>(() => engine.Reload(engine.Options with { DataRoot = dir["elsewhere"] }));
    }
}
