using System.Formats.Tar;
using DockPS.Engine.Layers;
using static DockPS.Engine.Tests.Layers.LayerBuilder;

namespace DockPS.Engine.Tests.Layers;

/// <summary>Each hostile layer is refused with its entry named, and nothing outside the target changes.</summary>
public class HostileLayerTests
{
    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/../escape")]
    [InlineData("./../outside/sentinel")]
    public async Task NamesThatClimbOutAreRefused(string name)
    {
        var error = await RejectsAsync(new LayerBuilder().File(name, "pwned").Tar(), name, "escapes");
        Assert.Equal(name, error.EntryName);
    }

    [Fact]
    public async Task NothingIsWrittenThroughARelativeSymlink() =>
        await RejectsAsync(new LayerBuilder().Symlink("evil", "../outside").File("evil/pwned", "x").Tar(), "evil/pwned", "symlink");

    [Fact]
    public async Task NothingIsWrittenThroughAnAbsoluteSymlink()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder().Symlink("evil", dir["outside"]).File("evil/pwned", "x").Tar();
        await RejectsAsync(tar, "evil/pwned", "symlink", dir);
    }

    [Fact]
    public async Task NoDirectoryIsMadeThroughASymlink() =>
        await RejectsAsync(new LayerBuilder().Symlink("evil", "../outside").Dir("evil/sub/").Tar(), "evil/sub/", "symlink");

    [Fact]
    public async Task NoSymlinkIsMadeThroughASymlink() =>
        await RejectsAsync(new LayerBuilder().Dir("d/").Symlink("d/evil", "/").Symlink("d/evil/etc/x", "y").Tar(), "d/evil/etc/x", "symlink");

    [Fact]
    public async Task NoWhiteoutOrOpaqueMarkerGoesThroughASymlink()
    {
        await RejectsAsync(new LayerBuilder().Symlink("evil", "../outside").File("evil/.wh.sentinel", "").Tar(), "evil/.wh.sentinel", "symlink");
        await RejectsAsync(new LayerBuilder().Symlink("evil", "../outside").File("evil/.wh..wh..opq", "").Tar(), "evil/.wh..wh..opq", "symlink");
    }

    [Fact]
    public async Task HardLinksOutOfTheLayerAreRefused()
    {
        await RejectsAsync(new LayerBuilder().HardLink("h", "../outside/sentinel").Tar(), "h", "escapes");
        await RejectsAsync(new LayerBuilder().HardLink("h", "/etc/passwd").Tar(), "h", "does not exist");
        await RejectsAsync(new LayerBuilder().HardLink("h", "missing").Tar(), "h", "does not exist");
        await RejectsAsync(new LayerBuilder().Symlink("evil", "../outside").HardLink("h", "evil/sentinel").Tar(), "h", "does not exist");
        await RejectsAsync(new LayerBuilder().Dir("d/").HardLink("h", "d").Tar(), "h", "directory");
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    public async Task DevicesAreRefused(TarEntryType type) =>
        await RejectsAsync(new LayerBuilder().Add(type, "dev/sda").Tar(), "dev/sda", "device");

    [Theory]
    [InlineData('S')]
    [InlineData('Z')]
    [InlineData('V')]
    public async Task UnknownEntryTypesAreRefused(char type)
    {
        var tar = WithTypeFlag(new LayerBuilder().File("odd", "x").Tar(), "odd", type);
        await RejectsAsync(tar, "odd", $"type '{type}'");
    }

    [Fact]
    public async Task OverlayfsXattrsAreRefused()
    {
        var tar = new LayerBuilder().Dir("d/", mode: 0x1ED).File("d/f", "x", xattrs: new() { ["trusted.overlay.redirect"] = "/elsewhere" }).Tar();
        await RejectsAsync(tar, "d/f", "trusted.overlay.redirect");
    }

    [Fact]
    public async Task OverlongNamesAreRefused()
    {
        var component = new string('n', 300);
        await RejectsAsync(new LayerBuilder().File(component, "x").Tar(), component, "longer than Linux allows");
        await RejectsAsync(new LayerBuilder().Symlink("l", new string('t', 5000)).Tar(), "l", "longer than Linux allows");
    }

    [Fact]
    public async Task ReplacingADirectoryRemovesItsSymlinksNotTheirTargets()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder().Dir("d/").Symlink("d/out", dir["outside"]).File("d", "now a file").Tar();
        Directory.CreateDirectory(dir["outside"]);
        File.WriteAllText(dir["outside/sentinel"], "keep");
        await UnpackAsync(tar, dir["layer"]);
        Assert.Equal("now a file", File.ReadAllText(dir["layer/d"]));
        Assert.Equal("keep", File.ReadAllText(dir["outside/sentinel"]));
    }

    private static async Task<LayerException> RejectsAsync(byte[] tar, string entry, string reason, TempDir? given = null)
    {
        var dir = given ?? new TempDir();
        try
        {
            Directory.CreateDirectory(dir["outside"]);
            File.WriteAllText(dir["outside/sentinel"], "keep");
            var before = File.GetLastWriteTimeUtc(dir["outside/sentinel"]);

            var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(tar, dir["layer"]));

            Assert.Contains(entry, error.Message);
            Assert.Contains(reason, error.Message);
            Assert.Equal(["layer", "outside"], Directory.GetFileSystemEntries(dir.Path).Select(p => Path.GetFileName(p)).Order());
            Assert.Equal([dir["outside/sentinel"]], Directory.GetFileSystemEntries(dir["outside"]));
            Assert.Equal("keep", File.ReadAllText(dir["outside/sentinel"]));
            Assert.Equal(before, File.GetLastWriteTimeUtc(dir["outside/sentinel"]));
            Assert.False(LayerBuilder.Stat(dir["outside/sentinel"]).IsWhiteout);
            Directory.Delete(dir["layer"], recursive: true);
            Directory.Delete(dir["outside"], recursive: true);
            return error;
        }
        finally
        {
            if (given is null) { dir.Dispose(); }
        }
    }
}
