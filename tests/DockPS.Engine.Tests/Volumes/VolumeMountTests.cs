using DockPS.Engine.Native;
using DockPS.Engine.Volumes;

namespace DockPS.Engine.Tests.Volumes;

/// <summary>
/// Volumes with mount options (real tmpfs and bind mounts: the tests run as root) and filling a
/// volume from an image directory. Every mount a test makes is gone when it ends.
/// </summary>
public sealed class VolumeMountTests : IDisposable
{
    private readonly TempDir _dir = new();
    private DockEngine _engine;

    public VolumeMountTests() => _engine = Open();

    private DockEngine Open() => DockEngine.Open(new EngineOptions { DataRoot = _dir["data"], ExecRoot = _dir["exec"] });

    public void Dispose()
    {
        _engine.Dispose();
        // A failed test may leave a mount behind; never delete into one.
        MountTable.UnmountAll(_dir.Path);
        _dir.Dispose();
    }

    private VolumeService Volumes => _engine.Volumes;

    private static Dictionary<string, string> Tmpfs(string o = "size=4m,mode=0750") =>
        new() { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = o };

    private static string FsType(string path) =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f[4] == path)
            .Select(f => f[Array.IndexOf(f, "-") + 1]).LastOrDefault() ?? "";

    [Fact]
    public async Task ATmpfsVolumeIsMountedOnFirstUseAndUnmountedOnLastRelease()
    {
        var v = await Volumes.CreateAsync("scratch", null, null, Tmpfs(), default);
        Assert.False(MountTable.IsMountPoint(v.Mountpoint));
        var path = await Volumes.MountAsync("scratch", "c1", default);
        Assert.Equal("tmpfs", FsType(path));
        Assert.Equal(0b111_101_000u, (uint)File.GetUnixFileMode(path));
        await Volumes.MountAsync("scratch", "c2", default);
        Assert.Single(MountTable.Under(path));
        File.WriteAllText(Path.Combine(path, "f"), "in memory");

        await Volumes.UnmountAsync("scratch", "c1", default);
        Assert.True(MountTable.IsMountPoint(path));
        await Volumes.UnmountAsync("scratch", "c2", default);
        Assert.False(MountTable.IsMountPoint(path));
        Assert.False(File.Exists(Path.Combine(path, "f")));
    }

    [Fact]
    public async Task ABadTmpfsOptionFailsAtMountWithTheKernelsReason()
    {
        await Volumes.CreateAsync("bad", null, null, Tmpfs("size=lots"), default);
        var e = await Assert.ThrowsAsync<DockPS.Engine.Native.PosixException>(() => Volumes.MountAsync("bad", "c1", default));
        Assert.StartsWith("mount ", e.Message);
        Assert.Empty(Volumes.UsersOf("bad"));
    }

    [Fact]
    public async Task ABindVolumeShowsTheHostDirectoryAndRemovingItLeavesTheHostFiles()
    {
        var host = _dir["host"];
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "keep"), "host data");
        await Volumes.CreateAsync("bound", null, null, new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind,ro", ["device"] = host }, default);
        var path = await Volumes.MountAsync("bound", "c1", default);
        Assert.Equal("host data", File.ReadAllText(Path.Combine(path, "keep")));
        Assert.Contains("Read-only file system", Assert.Throws<IOException>(() => File.WriteAllText(Path.Combine(path, "new"), "x")).Message);
        await Volumes.UnmountAsync("bound", "c1", default);
        Assert.False(MountTable.IsMountPoint(path));

        await Volumes.MountAsync("bound", "c1", default);
        await Volumes.UnmountAsync("bound", "c1", default);
        await Volumes.RemoveAsync("bound", false, default);
        Assert.Equal("host data", File.ReadAllText(Path.Combine(host, "keep")));
    }

    [Fact]
    public async Task RemovingAVolumeStillMountedAfterARestartUnmountsBeforeDeleting()
    {
        var host = _dir["host"];
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "keep"), "host data");
        await Volumes.CreateAsync("bound", null, null, new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = host }, default);
        var path = await Volumes.MountAsync("bound", "c1", default);
        // A daemon restart forgets the references but not the mount (a container may still run on it).
        _engine.Dispose();
        _engine = Open();
        Assert.True(MountTable.IsMountPoint(path));
        Assert.Empty(Volumes.UsersOf("bound"));
        await Volumes.RemoveAsync("bound", false, default);
        Assert.False(MountTable.IsMountPoint(path));
        Assert.Equal("host data", File.ReadAllText(Path.Combine(host, "keep")));
    }

    /// <summary>An "image directory": a file with setuid and an owner, a read-only dir, a symlink, a hard link, a FIFO.</summary>
    private string MakeImageDirectory()
    {
        var src = _dir["image-etc"];
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "conf"), "setting=1");
        File.SetUnixFileMode(Path.Combine(src, "conf"), (UnixFileMode)0b100_111_101_101);   // setuid 4755
        File.WriteAllText(Path.Combine(src, "sub", "deep"), "deep file");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "/etc/passwd");
        DockPS.Engine.Native.Posix.Link(Path.Combine(src, "conf"), Path.Combine(src, "conf-hard"));
        Chown(Path.Combine(src, "sub", "deep"), 1234, 5678);
        Chown(Path.Combine(src, "link"), 4321, 4321, symlink: true);
        File.SetLastWriteTimeUtc(Path.Combine(src, "sub", "deep"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        File.SetUnixFileMode(Path.Combine(src, "sub"), (UnixFileMode)0b101_101_101);   // 0555: read-only
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "sub"), new DateTime(2002, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Chown(src, 1000, 1000);
        File.SetUnixFileMode(src, (UnixFileMode)0b111_111_000);   // 0770
        return src;
    }

    private static void Chown(string path, int uid, int gid, bool symlink = false)
    {
        var chown = System.Diagnostics.Process.Start("chown", [.. symlink ? new[] { "-h" } : [], $"{uid}:{gid}", path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    private static (int Uid, int Gid) Owner(string path)
    {
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u %g", path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [Fact]
    public async Task AnEmptyVolumeIsFilledFromTheImageDirectoryKeepingModesOwnersTimesAndLinks()
    {
        var src = MakeImageDirectory();
        var v = await Volumes.GetOrCreateForMountAsync("etc");
        var data = await Volumes.MountAsync("etc", "c1", default);
        Assert.True(await Volumes.PopulateFromAsync("etc", src, default));

        Assert.Equal("setting=1", File.ReadAllText(Path.Combine(data, "conf")));
        Assert.Equal(0b100_111_101_101u, (uint)File.GetUnixFileMode(Path.Combine(data, "conf")));
        Assert.Equal("deep file", File.ReadAllText(Path.Combine(data, "sub", "deep")));
        Assert.Equal((1234, 5678), Owner(Path.Combine(data, "sub", "deep")));
        Assert.Equal(new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(data, "sub", "deep")));
        Assert.Equal(0b101_101_101u, (uint)File.GetUnixFileMode(Path.Combine(data, "sub")));
        Assert.Equal(new DateTime(2002, 1, 1, 0, 0, 0, DateTimeKind.Utc), Directory.GetLastWriteTimeUtc(Path.Combine(data, "sub")));
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(data, "link")).LinkTarget);
        Assert.Equal((4321, 4321), Owner(Path.Combine(data, "link")));
        Assert.Equal(DockPS.Engine.Native.Posix.LStat(Path.Combine(data, "conf")).Inode, DockPS.Engine.Native.Posix.LStat(Path.Combine(data, "conf-hard")).Inode);
        // The volume's root takes the image directory's owner and mode, as in Docker.
        Assert.Equal((1000, 1000), Owner(data));
        Assert.Equal(0b111_111_000u, (uint)File.GetUnixFileMode(data));
        Assert.True(Volumes.Get("etc").Populated);
        Assert.Equal(["_data"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(v.Mountpoint)!).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public async Task AVolumeIsFilledOnceNeverIntoContentAndNotFromAMissingDirectory()
    {
        var src = MakeImageDirectory();
        await Volumes.GetOrCreateForMountAsync("once");
        var data = await Volumes.MountAsync("once", "c1", default);
        Assert.False(await Volumes.PopulateFromAsync("once", _dir["no-such-dir"], default));
        Assert.False(Volumes.Get("once").Populated);
        Assert.True(await Volumes.PopulateFromAsync("once", src, default));

        // Emptied by its user, it stays empty: the marker says it was filled.
        foreach (var entry in Directory.EnumerateFileSystemEntries(data))
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint)) { Directory.Delete(entry, true); } else { File.Delete(entry); }
        }
        Assert.False(await Volumes.PopulateFromAsync("once", src, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));

        await Volumes.GetOrCreateForMountAsync("has-content");
        var other = await Volumes.MountAsync("has-content", "c1", default);
        File.WriteAllText(Path.Combine(other, "mine"), "x");
        Assert.False(await Volumes.PopulateFromAsync("has-content", src, default));
        Assert.Equal(["mine"], Directory.EnumerateFileSystemEntries(other).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public async Task ATmpfsVolumeIsFilledAtEveryMountBecauseItStartsEmpty()
    {
        var src = MakeImageDirectory();
        await Volumes.CreateAsync("run", null, null, Tmpfs(), default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Volumes.PopulateFromAsync("run", src, default));
        for (var round = 0; round < 2; round++)
        {
            var data = await Volumes.MountAsync("run", "c1", default);
            Assert.True(await Volumes.PopulateFromAsync("run", src, default));
            Assert.Equal("deep file", File.ReadAllText(Path.Combine(data, "sub", "deep")));
            await Volumes.UnmountAsync("run", "c1", default);
        }
    }

    [Fact]
    public async Task AFillCutShortIsDroppedAndACompletedOneIsFinishedAtTheNextStart()
    {
        await Volumes.GetOrCreateForMountAsync("cut");
        await Volumes.GetOrCreateForMountAsync("done");
        // What a crash leaves: a partial copy beside one volume's _data, a complete one beside the other's.
        var part = Path.Combine(Volumes.Root, "cut", "_prefill.part");
        Directory.CreateDirectory(part);
        File.WriteAllText(Path.Combine(part, "half"), "x");
        var staged = Path.Combine(Volumes.Root, "done", "_prefill");
        Directory.CreateDirectory(Path.Combine(staged, "dir"));
        File.WriteAllText(Path.Combine(staged, "whole"), "complete");
        File.SetUnixFileMode(staged, (UnixFileMode)0b111_000_000);

        _engine.Dispose();
        _engine = Open();

        Assert.False(Directory.Exists(part));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Volumes.DataPathOf("cut")));
        Assert.False(Volumes.Get("cut").Populated);
        Assert.False(Directory.Exists(staged));
        Assert.Equal("complete", File.ReadAllText(Path.Combine(Volumes.DataPathOf("done"), "whole")));
        Assert.True(Directory.Exists(Path.Combine(Volumes.DataPathOf("done"), "dir")));
        Assert.Equal(0b111_000_000u, (uint)File.GetUnixFileMode(Volumes.DataPathOf("done")));
        Assert.True(Volumes.Get("done").Populated);
    }
}
