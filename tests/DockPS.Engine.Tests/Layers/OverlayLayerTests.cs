using System.Formats.Tar;
using DockPS.Engine.Layers;
using static DockPS.Engine.Tests.Layers.LayerBuilder;

namespace DockPS.Engine.Tests.Layers;

/// <summary>Unpacked layers stacked by the real kernel overlayfs, the way containers will use them.</summary>
public class OverlayLayerTests
{
    private static byte[] Lower() => new LayerBuilder()
        .Dir("a/").File("a/keep", "k").File("a/gone", "g")
        .Dir("d/").File("d/old", "o").Dir("d/sub/").File("d/sub/older", "o2")
        .Tar();

    private static byte[] Upper() => new LayerBuilder()
        .File("a/.wh.gone", "")
        .File("d/.wh..wh..opq", "")
        .File("d/new", "n")
        .Tar();

    [Fact]
    public async Task TheMergedViewHidesWhitedOutFilesAndOpaqueDirectoryContent()
    {
        using var dir = new TempDir();
        await UnpackAsync(Lower(), dir["lower"]);
        await UnpackAsync(Upper(), dir["upper"]);
        var merged = dir["merged"];
        try
        {
            Mount(dir, $"{dir["upper"]}:{dir["lower"]}");
            Assert.Equal("k", File.ReadAllText(Path.Combine(merged, "a/keep")));
            Assert.False(File.Exists(Path.Combine(merged, "a/gone")));
            Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(merged, "d")).Select(p => Path.GetFileName(p)));
        }
        finally { Unmount(merged); }
    }

    [Fact]
    public async Task PackingAnUpperDirectoryTurnsKernelWhiteoutsIntoOciOnes()
    {
        using var dir = new TempDir();
        await UnpackAsync(Lower(), dir["lower"]);
        await UnpackAsync(Upper(), dir["upper"]);
        var merged = dir["merged"];
        try
        {
            Mount(dir, $"{dir["upper"]}:{dir["lower"]}");
            // The kernel records these in the upper directory: a 0/0 device, an opaque directory.
            File.Delete(Path.Combine(merged, "a/keep"));
            Directory.Delete(Path.Combine(merged, "d"), recursive: true);
            Directory.CreateDirectory(Path.Combine(merged, "d"));
            File.WriteAllText(Path.Combine(merged, "d/fresh"), "f");
            File.WriteAllText(Path.Combine(merged, "added"), "x");
        }
        finally { Unmount(merged); }
        Assert.True(Stat(dir["rw/a/keep"]).IsWhiteout);

        var output = new MemoryStream();
        var packed = await LayerPacker.PackAsync(dir["rw"], output, CancellationToken.None);
        var tar = output.ToArray();

        Assert.Equal(Sha256(tar), packed.DiffId);
        Assert.Equal(["a/", "a/.wh.keep", "added", "d/", "d/.wh..wh..opq", "d/fresh"], Names(tar));
        Assert.Equal(2, packed.Size);

        // Stacked again as the container's committed layer, the kernel shows what the container saw.
        await UnpackAsync(tar, dir["committed"]);
        Directory.Delete(dir["rw"], recursive: true);
        Directory.Delete(dir["work"], recursive: true);
        try
        {
            Mount(dir, $"{dir["committed"]}:{dir["upper"]}:{dir["lower"]}");
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(merged, "a")));
            Assert.Equal(["fresh"], Directory.GetFileSystemEntries(Path.Combine(merged, "d")).Select(p => Path.GetFileName(p)));
            Assert.Equal("x", File.ReadAllText(Path.Combine(merged, "added")));
        }
        finally { Unmount(merged); }
    }

    private static void Mount(TempDir dir, string lowerDirs)
    {
        foreach (var name in new[] { "rw", "work", "merged" }) { Directory.CreateDirectory(dir[name]); }
        Run("mount", "-t", "overlay", "overlay", "-o", $"lowerdir={lowerDirs},upperdir={dir["rw"]},workdir={dir["work"]}", dir["merged"]);
    }

    /// <summary>
    /// Unmounts if mounted. Another process briefly holding a directory inside (this machine is
    /// shared) makes umount fail with EBUSY: retry, then detach lazily, so no mount outlives the test.
    /// </summary>
    private static void Unmount(string merged)
    {
        for (var attempt = 1; IsMountPoint(merged); attempt++)
        {
            var (exitCode, _, stderr) = TryRun("umount", attempt <= 5 ? [merged] : ["--lazy", merged]);
            if (exitCode != 0 && attempt > 5) { Assert.Fail($"umount --lazy {merged} failed: {stderr}"); }
            if (exitCode != 0) { Thread.Sleep(100 * attempt); }
        }
    }

    private static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] == path);

    private static List<string> Names(byte[] tar)
    {
        var names = new List<string>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry) { names.Add(entry.Name); }
        return names;
    }
}
