using System.Net.Sockets;
using System.Security.Cryptography;
using DockPS.Engine.Layers;
using DockPS.Engine.Native;
using static DockPS.Engine.Tests.Layers.LayerBuilder;

namespace DockPS.Engine.Tests.Layers;

public class LayerPackerTests
{
    private static readonly byte[] Capability = [0x01, 0, 0, 0x02, 0x0A, 0xC0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly string LongName = string.Join('/', Enumerable.Repeat("a-directory-name-forty-characters-long-x", 7)) + "/file";
    // 177 bytes: too long for the ustar name field, short enough for its prefix + name split.
    private static readonly string SplitName = "split/" + new string('p', 90) + "/" + new string('q', 80);

    /// <summary>A snapshot with everything a layer can hold, binary xattrs and long names included.</summary>
    private static async Task<string> RichSnapshotAsync(TempDir dir)
    {
        var tar = new LayerBuilder()
            .File(".wh.gone", "")
            .File("d/.wh..wh..opq", "")
            .File("d/x", "x", uid: 3_000_000, gid: 3_000_001)
            .File("héllo wörld", "unicode")
            .File(LongName, "long")
            .File(SplitName, "split")
            .Symlink("long-link", "/" + LongName)
            .HardLink("hard", "héllo wörld")
            .Tar();
        await UnpackAsync(Concat(LayerUnpackerTests.Rootfs(), tar), dir["a"]);
        Posix.LSetXattr(dir["a/bin/busybox"], "security.capability", Capability);
        return dir["a"];
    }

    [Fact]
    public async Task UnpackingAPackedSnapshotGivesTheSameTree()
    {
        using var dir = new TempDir();
        var original = await RichSnapshotAsync(dir);
        var first = await PackAsync(original);
        await UnpackAsync(first.Tar, dir["b"]);
        var second = await PackAsync(dir["b"]);

        Assert.Equal(Describe(original), Describe(dir["b"]));
        Assert.Equal(Capability, Posix.LGetXattr(dir["b/bin/busybox"], "security.capability"));
        Assert.Equal(first.Tar, second.Tar);
        Assert.Equal(first.Result, second.Result);
    }

    [Fact]
    public async Task ReportsTheDigestOfTheTarAndTheContentSize()
    {
        using var dir = new TempDir();
        var (result, tar) = await PackAsync(await RichSnapshotAsync(dir));
        Assert.Equal(Sha256(tar), result.DiffId);
        var content = Directory.EnumerateFiles(dir["a"], "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => Stat(f).IsRegular)
            .GroupBy(f => Stat(f).Inode)
            .Sum(g => new FileInfo(g.First()).Length);
        Assert.Equal(content, result.Size);
    }

    [Fact]
    public async Task GnuTarReadsThePackedLayerXattrsIncluded()
    {
        using var dir = new TempDir();
        var (_, tar) = await PackAsync(await RichSnapshotAsync(dir));
        File.WriteAllBytes(dir["layer.tar"], tar);
        Directory.CreateDirectory(dir["gnu"]);
        Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", dir["layer.tar"], "-C", dir["gnu"]);

        Assert.Equal(Capability, Posix.LGetXattr(dir["gnu/bin/busybox"], "security.capability"));
        Assert.Equal("long", File.ReadAllText(dir["gnu/" + LongName]));
        Assert.Equal("split", File.ReadAllText(dir["gnu/" + SplitName]));
        Assert.Equal(3_000_000u, Stat(dir["gnu/d/x"]).Uid);
        Assert.Equal(Stat(dir["gnu/hard"]).Inode, Stat(dir["gnu/héllo wörld"]).Inode);
        Assert.Equal(0x9EDu, Stat(dir["gnu/usr/bin/su"]).Permissions);
        Assert.True(File.Exists(dir["gnu/.wh.gone"]));
    }

    [Fact]
    public async Task DevicesAreRefusedAndSocketsLeftOut()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["sock"]);
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(dir["sock/s"]));
        }
        File.WriteAllText(dir["sock/f"], "f");
        var (result, _) = await PackAsync(dir["sock"]);
        Assert.Equal(1, result.EntryCount);

        Directory.CreateDirectory(dir["dev"]);
        Posix.MakeNode(dir["dev/null"], FileStatus.CharDevice | 0x1B6, 1, 3);
        var error = await Assert.ThrowsAsync<LayerException>(() => PackAsync(dir["dev"]));
        Assert.Contains("null", error.Message);
    }

    private static async Task<(PackResult Result, byte[] Tar)> PackAsync(string directory)
    {
        var output = new MemoryStream();
        var result = await LayerPacker.PackAsync(directory, output, CancellationToken.None);
        return (result, output.ToArray());
    }

    /// <summary>Two tars as one layer: the first's end-of-archive blocks dropped.</summary>
    private static byte[] Concat(byte[] first, byte[] second) => [.. first[..^1024], .. second];

    /// <summary>Every path with what a layer must keep of it.</summary>
    private static SortedDictionary<string, string> Describe(string root)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inodes = new Dictionary<ulong, string>();
        var paths = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var relative = Path.GetRelativePath(root, path);
            var s = Stat(path);
            var text = $"{(s.IsWhiteout ? "whiteout" : s.Type.ToString("x"))} {s.Permissions:x} {s.Uid}:{s.Gid} t={s.ModifiedSeconds}";
            if (s.IsRegular) { text += " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))); }
            if (s.IsSymlink) { text += " -> " + Posix.ReadLink(path); }
            if (!s.IsDirectory && s.LinkCount > 1 && !s.IsWhiteout)
            {
                text += " link-group=" + (inodes.TryGetValue(s.Inode, out var first) ? first : inodes[s.Inode] = relative);
            }
            foreach (var name in Posix.LListXattr(path).Order(StringComparer.Ordinal))
            {
                text += $" {name}={Convert.ToHexString(Posix.LGetXattr(path, name)!)}";
            }
            tree[relative] = text;
        }
        return tree;
    }
}
