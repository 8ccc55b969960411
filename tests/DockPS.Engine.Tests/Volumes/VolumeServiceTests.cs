using DockPS.Engine.Events;
using DockPS.Engine.Filters;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Tests.Volumes;

/// <summary>A stand-in for containers: a fixed map of volume name → container IDs.</summary>
internal sealed class FakeVolumeUsers : IVolumeUsers
{
    public Dictionary<string, List<string>> Users { get; } = new();

    public IReadOnlyList<string> ContainersUsing(string volumeName) =>
        Users.TryGetValue(volumeName, out var ids) ? ids : [];
}

public sealed class VolumeServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private DockEngine _engine;

    public VolumeServiceTests() => _engine = Open();

    private DockEngine Open() => DockEngine.Open(new EngineOptions { DataRoot = _dir["data"], ExecRoot = _dir["exec"] });

    public void Dispose()
    {
        _engine.Dispose();
        _dir.Dispose();
    }

    private VolumeService Volumes => _engine.Volumes;

    private Task<VolumeRecord> Create(string? name, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? options = null) =>
        Volumes.CreateAsync(name, null, labels, options, default);

    /// <summary>Records hold dictionaries, which compare by reference; volumes are the same when every field is.</summary>
    private static void AssertSame(VolumeRecord expected, VolumeRecord actual)
    {
        Assert.Equal(expected with { Labels = actual.Labels, Options = actual.Options }, actual);
        Assert.Equal(expected.Labels.OrderBy(p => p.Key), actual.Labels.OrderBy(p => p.Key));
        Assert.Equal(expected.Options.OrderBy(p => p.Key), actual.Options.OrderBy(p => p.Key));
    }

    private static uint Mode(string path) => (uint)File.GetUnixFileMode(path);

    private List<EngineEvent> Events(string action) =>
        _engine.Events.Subscribe(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddMilliseconds(5), EventFilter.None, default)
            .ToBlockingEnumerable().Where(e => e.Type == "volume" && e.Action == action).ToList();

    [Fact]
    public async Task CreateMakesTheDataDirectoryWithDockersModesAndRecordsTheVolume()
    {
        var v = await Create("data", new Dictionary<string, string> { ["team"] = "web" });
        Assert.Equal("data", v.Name);
        Assert.Equal("local", v.Driver);
        Assert.Equal(Path.Combine(_dir["data"], "volumes", "data", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        Assert.Equal(0b111_101_101u, Mode(v.Mountpoint));
        Assert.Equal(0b111_000_001u, Mode(Path.GetDirectoryName(v.Mountpoint)!));
        Assert.Equal(0b111_000_001u, Mode(Path.Combine(_dir["data"], "volumes")));
        Assert.Equal("web", v.Labels["team"]);
        Assert.False(v.IsAnonymous);
        AssertSame(v, Volumes.Get("data"));
        var created = Assert.Single(Events("create"));
        Assert.Equal("data", created.ActorId);
        Assert.Equal("local", created.Attributes["driver"]);
    }

    [Fact]
    public async Task CreatingAnExistingNameReturnsTheExistingVolumeUnchangedAndEmitsNoEvent()
    {
        var first = await Create("data", new Dictionary<string, string> { ["v"] = "1" });
        var second = await Create("data", new Dictionary<string, string> { ["v"] = "2" });
        AssertSame(first, second);
        Assert.Equal("1", Volumes.Get("data").Labels["v"]);
        Assert.Single(Events("create"));
    }

    [Fact]
    public async Task ANamelessVolumeIsAnonymousWithA64HexName()
    {
        var v = await Create(null);
        Assert.Matches("^[0-9a-f]{64}$", v.Name);
        Assert.True(v.IsAnonymous);
        Assert.Equal("", v.Labels[VolumeService.AnonymousLabel]);
        Assert.NotEqual(v.Name, (await Create("")).Name);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a b")]
    [InlineData("..")]
    public async Task NamesOutsideDockersRuleAreRefusedAndNothingIsMade(string name)
    {
        var e = await Assert.ThrowsAsync<InvalidVolumeException>(() => Create(name));
        Assert.Equal($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", e.Message);
        Assert.Empty(Volumes.Store.All());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Volumes.Root));
        Assert.False(Directory.Exists(Path.Combine(_dir["data"], "x")));
    }

    [Fact]
    public async Task AOneCharacterNameIsTooShort()
    {
        var e = await Assert.ThrowsAsync<InvalidVolumeException>(() => Create("a"));
        Assert.Contains("volume name is too short", e.Message);
    }

    [Fact]
    public async Task OnlyTheLocalDriverExists()
    {
        var e = await Assert.ThrowsAsync<VolumeDriverNotFoundException>(() => Volumes.CreateAsync("data", "nfs-plugin", null, null, default));
        Assert.Equal("create data: error looking up volume plugin nfs-plugin: plugin \"nfs-plugin\" not found", e.Message);
        Assert.IsAssignableFrom<KeyNotFoundException>(e);
        Assert.Equal("local", (await Volumes.CreateAsync("data", "local", null, null, default)).Driver);
    }

    [Theory]
    [InlineData("size", "100m", "invalid option: \"size\"")]
    [InlineData("type", "tmpfs", "missing required option: \"device\"")]
    [InlineData("device", "tmpfs", "missing required option: \"type\"")]
    [InlineData("o", "size=1m", "missing required option: \"device\"")]
    public async Task LocalDriverOptionsAreCheckedAtCreate(string key, string value, string message)
    {
        var e = await Assert.ThrowsAsync<InvalidVolumeException>(() => Create("opts", options: new Dictionary<string, string> { [key] = value }));
        Assert.Equal($"create opts: {message}", e.Message);
        Assert.Empty(Volumes.Store.All());
    }

    [Fact]
    public async Task ABindNeedsAnAbsoluteDevice()
    {
        var e = await Assert.ThrowsAsync<InvalidVolumeException>(() =>
            Create("bind", options: new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = "relative/dir" }));
        Assert.Contains("absolute host path", e.Message);
    }

    [Fact]
    public async Task GetOfAMissingVolumeSaysNoSuchVolume()
    {
        await Create("present");
        var e = Assert.Throws<VolumeNotFoundException>(() => Volumes.Get("absent"));
        Assert.Equal("get absent: no such volume", e.Message);
    }

    [Fact]
    public async Task ListFiltersByNameDriverLabelAndDangling()
    {
        var users = new FakeVolumeUsers();
        Volumes.Users = users;
        await Create("web-data", new Dictionary<string, string> { ["tier"] = "web", ["keep"] = "" });
        await Create("db-data", new Dictionary<string, string> { ["tier"] = "db" });
        await Create("cache");
        users.Users["db-data"] = ["c1"];

        string[] Names(string json) => Volumes.List(FilterSet.Parse(json)).Select(v => v.Name).ToArray();
        Assert.Equal(["cache", "db-data", "web-data"], Names(""));
        Assert.Equal(["db-data", "web-data"], Names("""{"name":["data"]}"""));
        Assert.Equal(["db-data"], Names("""{"name":["^db"]}"""));
        Assert.Equal(["cache", "db-data", "web-data"], Names("""{"driver":["local"]}"""));
        Assert.Empty(Names("""{"driver":["other"]}"""));
        Assert.Equal(["db-data", "web-data"], Names("""{"label":["tier"]}"""));
        Assert.Equal(["web-data"], Names("""{"label":["tier=web"]}"""));
        Assert.Equal(["web-data"], Names("""{"label":["tier","keep"]}"""));
        Assert.Equal(["cache", "web-data"], Names("""{"dangling":["true"]}"""));
        Assert.Equal(["db-data"], Names("""{"dangling":["0"]}"""));
        Assert.Equal("invalid filter 'dangling=maybe'", Assert.Throws<FilterException>(() => Names("""{"dangling":["maybe"]}""")).Message);
        Assert.Equal("invalid filter 'until'", Assert.Throws<FilterException>(() => Names("""{"until":["1h"]}""")).Message);
    }

    [Fact]
    public async Task RemoveDeletesRecordAndDataAndEmitsDestroy()
    {
        var v = await Create("gone");
        File.WriteAllText(Path.Combine(v.Mountpoint, "f"), "data");
        await Volumes.RemoveAsync("gone", force: false, default);
        Assert.Null(Volumes.Store.Get("gone"));
        Assert.False(Directory.Exists(Path.GetDirectoryName(v.Mountpoint)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_engine.TempDirectory));
        Assert.Equal("gone", Assert.Single(Events("destroy")).ActorId);
    }

    [Fact]
    public async Task RemoveOfAMissingVolumeIsNotFoundUnlessForced()
    {
        var e = await Assert.ThrowsAsync<VolumeNotFoundException>(() => Volumes.RemoveAsync("absent", force: false, default));
        Assert.Equal("get absent: no such volume", e.Message);
        await Volumes.RemoveAsync("absent", force: true, default);
        Assert.Empty(Events("destroy"));
    }

    [Fact]
    public async Task AVolumeInUseIsNeverRemovedEvenWithForce()
    {
        var users = new FakeVolumeUsers();
        Volumes.Users = users;
        var v = await Create("busy");
        users.Users["busy"] = ["abc123", "def456"];
        foreach (var force in new[] { false, true })
        {
            var e = await Assert.ThrowsAsync<VolumeInUseException>(() => Volumes.RemoveAsync("busy", force, default));
            Assert.Equal("remove busy: volume is in use - [abc123, def456]", e.Message);
            Assert.IsAssignableFrom<VolumeConflictException>(e);
        }
        Assert.True(Directory.Exists(v.Mountpoint));
        users.Users.Clear();
        await Volumes.RemoveAsync("busy", false, default);
    }

    [Fact]
    public async Task RemoveDoesNotFollowSymlinksOutOfTheVolume()
    {
        var outside = _dir["outside"];
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep"), "precious");
        var v = await Create("links");
        File.CreateSymbolicLink(Path.Combine(v.Mountpoint, "to-outside"), outside);
        await Volumes.RemoveAsync("links", false, default);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outside, "keep")));
    }

    [Fact]
    public async Task PruneTakesOnlyUnusedAnonymousVolumesByDefault()
    {
        var users = new FakeVolumeUsers();
        Volumes.Users = users;
        var loose = await Create(null);
        var held = await Create(null);
        await Create("named");
        users.Users[held.Name] = ["c1"];
        File.WriteAllBytes(Path.Combine(loose.Mountpoint, "blob"), new byte[3000]);
        Directory.CreateDirectory(Path.Combine(loose.Mountpoint, "sub"));
        File.WriteAllBytes(Path.Combine(loose.Mountpoint, "sub", "small"), new byte[10]);

        var (deleted, reclaimed) = await Volumes.PruneAsync(FilterSet.Empty, default);
        Assert.Equal([loose.Name], deleted);
        Assert.Equal(3010, reclaimed);
        Assert.Equal([held.Name, "named"], Volumes.Store.All().Select(v => v.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("3010", Assert.Single(Events("prune")).Attributes["reclaimed"]);
    }

    [Fact]
    public async Task PruneWithAllTakesNamedVolumesAndHonoursLabelFilters()
    {
        await Create("keep-me", new Dictionary<string, string> { ["keep"] = "yes" });
        await Create("drop-me", new Dictionary<string, string> { ["env"] = "test" });
        await Create("other");
        var (deleted, _) = await Volumes.PruneAsync(FilterSet.Parse("""{"all":["true"],"label":["env=test"]}"""), default);
        Assert.Equal(["drop-me"], deleted);
        (deleted, _) = await Volumes.PruneAsync(FilterSet.Parse("""{"all":["1"],"label!":["keep"]}"""), default);
        Assert.Equal(["other"], deleted);
        Assert.Equal("keep-me", Assert.Single(Volumes.Store.All()).Name);
        Assert.Equal("invalid filter 'all=yes'", (await Assert.ThrowsAsync<FilterException>(() => Volumes.PruneAsync(FilterSet.Parse("""{"all":["yes"]}"""), default))).Message);
        Assert.Equal("invalid filter 'until'", (await Assert.ThrowsAsync<FilterException>(() => Volumes.PruneAsync(FilterSet.Parse("""{"until":["1h"]}"""), default))).Message);
    }

    [Fact]
    public async Task GetOrCreateForMountMakesLabelFreeNamedOrAnonymousVolumes()
    {
        var named = await Volumes.GetOrCreateForMountAsync("cache");
        Assert.Empty(named.Labels);
        Assert.Empty(named.Options);
        AssertSame(named, await Volumes.GetOrCreateForMountAsync("cache"));
        var anonymous = await Volumes.GetOrCreateForMountAsync(null);
        Assert.True(anonymous.IsAnonymous);
    }

    [Fact]
    public async Task AMountReferenceCountsAsUseUntilReleased()
    {
        await Create("held");
        var path = await Volumes.MountAsync("held", "container-1", default);
        Assert.Equal(Volumes.DataPathOf("held"), path);
        Assert.Equal(["container-1"], Volumes.UsersOf("held"));
        await Assert.ThrowsAsync<VolumeInUseException>(() => Volumes.RemoveAsync("held", false, default));
        await Volumes.UnmountAsync("held", "container-1", default);
        await Volumes.UnmountAsync("held", "container-1", default);
        Assert.Empty(Volumes.UsersOf("held"));
        await Volumes.RemoveAsync("held", false, default);
    }

    [Fact]
    public async Task RecoveryDeletesDirectoriesWithoutARecordAndKeepsEveryRecordedVolumesData()
    {
        var kept = await Create("kept");
        File.WriteAllText(Path.Combine(kept.Mountpoint, "f"), "mine");
        var orphan = Path.Combine(Volumes.Root, "orphan", "_data");
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "f"), "half-removed");
        var stranger = Path.Combine(Volumes.Root, "not a volume");
        Directory.CreateDirectory(stranger);
        var missing = await Create("missing");
        Directory.Delete(Path.GetDirectoryName(missing.Mountpoint)!, recursive: true);

        _engine.Dispose();
        _engine = Open();

        Assert.False(Directory.Exists(Path.Combine(Volumes.Root, "orphan")));
        Assert.True(Directory.Exists(stranger));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(kept.Mountpoint, "f")));
        Assert.True(Directory.Exists(missing.Mountpoint));
        Assert.Equal(["kept", "missing"], Volumes.Store.All().Select(v => v.Name).ToArray());
    }

    [Fact]
    public async Task VolumesSurviveARestartWithTheirLabelsOptionsAndTime()
    {
        var v = await Create("durable", new Dictionary<string, string> { ["a"] = "b" },
            new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "size=1m" });
        _engine.Dispose();
        _engine = Open();
        var again = Volumes.Get("durable");
        Assert.Equal(v.CreatedAt, again.CreatedAt);
        Assert.Equal("b", again.Labels["a"]);
        Assert.Equal("size=1m", again.Options["o"]);
        Assert.Equal(1, _engine.Store.CountObjects().Volumes);
    }
}
