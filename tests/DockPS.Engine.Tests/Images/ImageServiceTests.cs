using System.Formats.Tar;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;
using DockPS.Engine.Layers;

namespace DockPS.Engine.Tests.Images;

public sealed class ImageServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DockEngine _engine;

    public ImageServiceTests() => _engine = DockEngine.Open(new EngineOptions { DataRoot = _dir["data"], ExecRoot = _dir["exec"] });

    public void Dispose()
    {
        _engine.Dispose();
        _dir.Dispose();
    }

    private ImageService Images => _engine.Images;

    /// <summary>A small root filesystem tarball: a directory, a file, a symlink.</summary>
    private static MemoryStream Rootfs(string marker = "hello", params (string Name, string Content)[] extra)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/") { Mode = (UnixFileMode)0b111_101_101 });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/marker") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(marker)), Mode = (UnixFileMode)0b110_100_100 });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "marker-link") { LinkName = "/etc/marker" });
            foreach (var (name, content) in extra)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
            }
        }
        stream.Position = 0;
        return stream;
    }

    private Task<ImageRecord> Import(string? reference, string marker = "hello", params string[] changes) =>
        Images.ImportAsync(Rootfs(marker), new ImportOptions(reference, changes, null, "amd64"), default);

    [Fact]
    public async Task ImportMakesAOneLayerImageWithItsSnapshotAndBlobs()
    {
        var image = await Import("busybox", "hi", "CMD [\"sh\"]", "ENV A=1", "WORKDIR /w", "EXPOSE 80", "LABEL team=web");
        Assert.Equal(["busybox:latest"], image.RepoTags);
        var layer = Assert.Single(image.Layers);
        Assert.Equal("hi", File.ReadAllText(Path.Combine(Images.Snapshots.PathOf(layer.ChainId), "etc/marker")));
        Assert.Equal("/etc/marker", new FileInfo(Path.Combine(Images.Snapshots.PathOf(layer.ChainId), "marker-link")).LinkTarget);
        Assert.True(Images.Blobs.Exists(image.Id));
        Assert.Equal(image.Id, Digest.Of(Images.Blobs.ReadAll(image.Id)));
        Assert.Single(Images.Store.LayerBlobs(layer.DiffId));
        Assert.Equal(["sh"], image.Config.Config.Cmd);
        Assert.Equal(["A=1"], image.Config.Config.Env);
        Assert.Equal("/w", image.Config.Config.WorkingDir);
        Assert.Equal("web", image.Config.Config.Labels!["team"]);
        Assert.Contains("80/tcp", image.Config.Config.ExposedPorts!.Keys);
        Assert.Equal(layer.DiffId.ToString(), Assert.Single(image.Config.RootFs.DiffIds));
    }

    [Fact]
    public async Task FindResolvesNamesIdsAndPrefixes()
    {
        var image = await Import("team/app:1.0");
        Assert.Equal(image.Id, Images.Find("team/app:1.0").Id);
        Assert.Equal(image.Id, Images.Find(image.Id.ToString()).Id);
        Assert.Equal(image.Id, Images.Find(image.Id.Hex[..8]).Id);
        Assert.Throws<ImageNotFoundException>(() => Images.Find("team/app")); // no :latest
        Assert.Throws<ImageNotFoundException>(() => Images.Find("nothing:here"));
    }

    [Fact]
    public async Task TagAddsNamesAndRemoveTakesThemOneByOne()
    {
        var image = await Import("one");
        await Images.TagAsync("one", "two:2", default);
        Assert.Equal(["one:latest", "two:2"], Images.Find("one").RepoTags.Order());

        var removed = await Images.RemoveAsync("two:2", force: false, default);
        Assert.Equal([new RemovedImage("two:2", null)], removed);
        Assert.Equal(image.Id, Images.Find("one").Id);

        var last = await Images.RemoveAsync("one", force: false, default);
        Assert.Equal(new RemovedImage("one:latest", null), last[0]);
        Assert.Equal(new RemovedImage(null, image.Id.ToString()), last[1]);
        Assert.False(Images.Blobs.Exists(image.Id));
        Assert.False(Images.Snapshots.Exists(image.Layers[0].ChainId));
        Assert.Empty(Images.Store.LayerBlobs(image.Layers[0].DiffId));
    }

    [Fact]
    public async Task RemovingByIdAnImageWithSeveralNamesNeedsForce()
    {
        var image = await Import("a");
        await Images.TagAsync("a", "b", default);
        await Assert.ThrowsAsync<ImageConflictException>(() => Images.RemoveAsync(image.Id.Hex[..12], false, default));
        var removed = await Images.RemoveAsync(image.Id.Hex[..12], true, default);
        Assert.Equal(3, removed.Count);
        Assert.Empty(Images.List(FilterSet.Empty));
    }

    [Fact]
    public async Task ASharedLayerOutlivesOneOfItsImages()
    {
        var bytes = Rootfs("same").ToArray();
        var first = await Images.ImportAsync(new MemoryStream(bytes), new ImportOptions("first", [], null, "amd64"), default);
        var second = await Images.ImportAsync(new MemoryStream(bytes), new ImportOptions("second", ["CMD [\"true\"]"], null, "amd64"), default);
        Assert.Equal(first.Layers[0].ChainId, second.Layers[0].ChainId);
        Assert.NotEqual(first.Id, second.Id);
        await Images.RemoveAsync("first", false, default);
        Assert.True(Images.Snapshots.Exists(second.Layers[0].ChainId));
        Assert.Single(Images.Store.LayerBlobs(second.Layers[0].DiffId));
    }

    [Fact]
    public async Task ListFiltersByDanglingLabelAndReference()
    {
        await Import(null, "x", "LABEL env=prod");
        await Import("web/app:1", "y");
        await Import("web/api:1", "z");
        Assert.Single(Images.List(FilterSet.Parse("""{"dangling":["true"]}""")));
        Assert.Single(Images.List(FilterSet.Parse("""{"label":["env=prod"]}""")));
        Assert.Equal(2, Images.List(FilterSet.Parse("""{"reference":["web/*"]}""")).Count);
        Assert.Single(Images.List(FilterSet.Parse("""{"reference":["web/app"]}""")));
        Assert.Throws<FilterException>(() => Images.List(FilterSet.Parse("""{"color":["red"]}""")));
    }

    [Fact]
    public async Task PruneRemovesDanglingImagesOnlyUnlessAll()
    {
        await Import(null, "dangling");
        var named = await Import("kept", "named");
        var (removed, reclaimed) = await Images.PruneAsync(FilterSet.Empty, default);
        Assert.Single(removed);
        Assert.True(reclaimed > 0);
        Assert.Equal(named.Id, Assert.Single(Images.List(FilterSet.Empty)).Id);
        var (all, _) = await Images.PruneAsync(FilterSet.Parse("""{"dangling":["false"]}"""), default);
        Assert.Equal(2, all.Count); // untag + delete
        Assert.Empty(Images.List(FilterSet.Empty));
    }

    [Fact]
    public async Task HistoryHasTheImportStep()
    {
        await Import("h");
        var step = Assert.Single(ImageService.History(Images.Find("h")));
        Assert.Equal("Imported from -", step.Entry.Comment);
        Assert.True(step.Size > 0);
    }

    [Fact]
    public async Task AHostileTarballLeavesNothingBehind()
    {
        var hostile = new MemoryStream();
        using (var tar = new TarWriter(hostile, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../escape") { DataStream = new MemoryStream([1]) });
        }
        hostile.Position = 0;
        await Assert.ThrowsAsync<LayerException>(() => Images.ImportAsync(hostile, new ImportOptions("bad", [], null, "amd64"), default));
        Assert.Empty(Images.List(FilterSet.Empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_engine.TempDirectory));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape")));
        var blobs = Path.Combine(_dir["data"], "blobs", "sha256");
        Assert.True(!Directory.Exists(blobs) || !Directory.EnumerateFiles(blobs).Any());
    }

    [Fact]
    public async Task ABadChangeIsRefusedBeforeAnythingIsStored()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Import("x", "m", "RUN echo"));
        Assert.Empty(Images.List(FilterSet.Empty));
    }

    [Fact]
    public async Task ImagesSurviveARestart()
    {
        var image = await Import("persist");
        _engine.Dispose();
        using var reopened = DockEngine.Open(new EngineOptions { DataRoot = _dir["data"], ExecRoot = _dir["exec"] });
        Assert.Equal(image.Id, reopened.Images.Find("persist").Id);
        Assert.Equal(1, reopened.Store.CountObjects().Images);
    }
}
