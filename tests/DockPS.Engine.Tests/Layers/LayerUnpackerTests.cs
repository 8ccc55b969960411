using System.Formats.Tar;
using System.Text;
using DockPS.Engine.Layers;
using DockPS.Engine.Native;
using static DockPS.Engine.Tests.Layers.LayerBuilder;

namespace DockPS.Engine.Tests.Layers;

public class LayerUnpackerTests
{
    private static readonly DateTimeOffset DirTime = new(2019, 5, 6, 7, 8, 9, TimeSpan.Zero);

    internal static byte[] Rootfs() => new LayerBuilder()
        .Dir("bin/")
        .File("bin/busybox", "#!busybox", mode: 0x1ED)
        .Symlink("bin/sh", "/bin/busybox")
        .HardLink("bin/ls", "bin/busybox")
        .Dir("etc/", mtime: DirTime)
        .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        .Dir("usr/bin/")
        .Symlink("usr/bin/env", "../../bin/busybox")
        .File("usr/bin/su", "su", mode: 0x9ED /* 04755 */)
        .Dir("tmp/", mode: 0x3FF /* 01777 */)
        .Dir("home/user/", mode: 0x1C0, uid: 1000, gid: 1000)
        .File("home/user/notes", "hi", mode: 0x180, uid: 1000, gid: 1001, xattrs: new() { ["user.note"] = "kept" })
        .Add(TarEntryType.Fifo, "run/pipe", mode: 0x1B0)
        .Tar();

    [Theory]
    [InlineData(CompressionKind.None)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Zstd)]
    public async Task UnpacksARootfsWithEveryCompression(CompressionKind kind)
    {
        using var dir = new TempDir();
        var tar = Rootfs();
        var blob = Compress(tar, kind);
        var result = await UnpackAsync(blob, dir["layer"]);

        Assert.Equal(Sha256(tar), result.DiffId);
        Assert.Equal(Sha256(blob), result.Digest);
        Assert.Equal(kind, result.Compression);
        Assert.Equal(13, result.EntryCount);
        Assert.Equal("#!busybox".Length + "root:x:0:0::/root:/bin/sh\n".Length + 2 + 2, result.Size);

        Assert.Equal("#!busybox", File.ReadAllText(dir["layer/bin/busybox"]));
        Assert.Equal("/bin/busybox", Posix.ReadLink(dir["layer/bin/sh"]));
        Assert.Equal("../../bin/busybox", Posix.ReadLink(dir["layer/usr/bin/env"]));
        Assert.Equal(Stat(dir["layer/bin/busybox"]).Inode, Stat(dir["layer/bin/ls"]).Inode);
        Assert.Equal(0x9EDu, Stat(dir["layer/usr/bin/su"]).Permissions);
        Assert.Equal(0x3FFu, Stat(dir["layer/tmp"]).Permissions);
        var home = Stat(dir["layer/home/user"]);
        Assert.Equal((1000u, 1000u, 0x1C0u), (home.Uid, home.Gid, home.Permissions));
        var notes = Stat(dir["layer/home/user/notes"]);
        Assert.Equal((1000u, 1001u, 0x180u), (notes.Uid, notes.Gid, notes.Permissions));
        Assert.Equal("kept"u8.ToArray(), Posix.LGetXattr(dir["layer/home/user/notes"], "user.note"));
        Assert.Equal(FileStatus.Fifo, Stat(dir["layer/run/pipe"]).Type);
        Assert.Equal(Epoch2020.ToUnixTimeSeconds(), notes.ModifiedSeconds);
        // Set after etc/passwd was written into it.
        Assert.Equal(DirTime.ToUnixTimeSeconds(), Stat(dir["layer/etc"]).ModifiedSeconds);
        Assert.Equal(Epoch2020.ToUnixTimeSeconds(), Stat(dir["layer/bin/sh"]).ModifiedSeconds);
        // An implicit parent is made 0755 root-owned, as Docker makes it.
        Assert.Equal(0x1EDu, Stat(dir["layer/run"]).Permissions);
    }

    [Fact]
    public async Task KeepsBinaryXattrsByteForByteAsGnuTarWritesThem()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["src"]);
        File.WriteAllText(dir["src/ping"], "ping");
        // A capability value holding a newline and a byte ≥ 0x80: System.Formats.Tar can read neither.
        byte[] capability = [0x01, 0, 0, 0x02, 0x0A, 0xC0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Posix.LSetXattr(dir["src/ping"], "security.capability", capability);
        Run("tar", "--xattrs", "--xattrs-include=*", "--format=pax", "-cf", dir["layer.tar"], "-C", dir["src"], "ping");

        await UnpackAsync(File.ReadAllBytes(dir["layer.tar"]), dir["layer"]);

        Assert.Equal(capability, Posix.LGetXattr(dir["layer/ping"], "security.capability"));
    }

    [Fact]
    public async Task TranslatesWhiteoutsAndOpaqueDirectories()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder()
            .File("a/.wh.gone", "")
            .File(".wh.top", "")
            .File("d/.wh..wh..opq", "")
            .File("d/new", "n")
            .File(".wh..wh.plnk/123.456", "aufs bookkeeping")
            .Tar();
        var result = await UnpackAsync(tar, dir["layer"]);

        Assert.True(Stat(dir["layer/a/gone"]).IsWhiteout);
        Assert.True(Stat(dir["layer/top"]).IsWhiteout);
        Assert.Equal("y"u8.ToArray(), Posix.LGetXattr(dir["layer/d"], "trusted.overlay.opaque"));
        Assert.Equal("n", File.ReadAllText(dir["layer/d/new"]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir["layer"], ".wh.*", SearchOption.AllDirectories));
        Assert.Equal(1, result.Size);
    }

    [Fact]
    public async Task AWhiteoutHidesOnlyLowerLayersAndADirectoryReplacingOneIsOpaque()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder()
            .File("kept", "mine")
            .File(".wh.kept", "")
            .File(".wh.again", "")
            .Dir("again/")
            .File("again/inside", "x")
            .Tar();
        await UnpackAsync(tar, dir["layer"]);

        Assert.Equal("mine", File.ReadAllText(dir["layer/kept"]));
        Assert.True(Stat(dir["layer/again"]).IsDirectory);
        Assert.Equal("y"u8.ToArray(), Posix.LGetXattr(dir["layer/again"], "trusted.overlay.opaque"));
    }

    [Fact]
    public async Task LaterEntriesReplaceEarlierOnesOfAnotherType()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder()
            .File("p", "file first")
            .Dir("p/")
            .File("p/child", "c")
            .Dir("q/")
            .File("q/child", "c")
            .Symlink("q/out", "/")
            .File("q", "file now")
            .Symlink("r", "/etc")
            .File("r", "not a link")
            .File("dup", "one")
            .File("dup", "two")
            .Tar();
        await UnpackAsync(tar, dir["layer"]);

        Assert.Equal("c", File.ReadAllText(dir["layer/p/child"]));
        Assert.Equal("file now", File.ReadAllText(dir["layer/q"]));
        Assert.Equal("not a link", File.ReadAllText(dir["layer/r"]));
        Assert.Equal("two", File.ReadAllText(dir["layer/dup"]));
    }

    [Fact]
    public async Task StripsLeadingSlashesAndDotsAndResolvesInnerDotDots()
    {
        using var dir = new TempDir();
        var tar = new LayerBuilder()
            .File("/abs", "1")
            .File("./dot", "2")
            .File("a/../inside", "3")
            .Dir("./")
            .Tar();
        var result = await UnpackAsync(tar, dir["layer"]);

        Assert.Equal(["abs", "dot", "inside"], Directory.GetFileSystemEntries(dir["layer"]).Select(Path.GetFileName).Order());
        Assert.Equal(4, result.EntryCount);
    }

    [Fact]
    public async Task AnEmptyStreamIsAnEmptyLayer()
    {
        using var dir = new TempDir();
        var result = await UnpackAsync([], dir["layer"]);
        Assert.Equal(Sha256([]), result.DiffId);
        Assert.Equal(0, result.EntryCount);
    }

    [Fact]
    public async Task ReadsLongNamesAndLargeIdsFromPaxAndGnuHeaders()
    {
        using var dir = new TempDir();
        var longName = string.Join('/', Enumerable.Repeat("directory-name-of-forty-characters-long", 8)) + "/file";
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "pax/" + longName) { Uid = 3_000_000, Gid = 3_000_001, DataStream = new MemoryStream([1]) });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "gnu/" + longName) { Uid = 3_000_000, DataStream = new MemoryStream([2]) });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "gnu/link") { LinkName = "/" + longName });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "ustär/" + new string('u', 90)) { DataStream = new MemoryStream([3]) });
        }
        await UnpackAsync(tar.ToArray(), dir["layer"]);

        var pax = Stat(dir["layer/pax/" + longName]);
        Assert.Equal((3_000_000u, 3_000_001u), (pax.Uid, pax.Gid));
        Assert.Equal([2], File.ReadAllBytes(dir["layer/gnu/" + longName]));
        Assert.Equal(3_000_000u, Stat(dir["layer/gnu/" + longName]).Uid);
        Assert.Equal("/" + longName, Posix.ReadLink(dir["layer/gnu/link"]));
        Assert.Equal([3], File.ReadAllBytes(dir["layer/ustär/" + new string('u', 90)]));
    }

    [Fact]
    public async Task KeepsNanosecondTimesFromPax()
    {
        using var dir = new TempDir();
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_123);
        var tar = new LayerBuilder().File("f", "x", mtime: time).Tar();
        await UnpackAsync(tar, dir["layer"]);
        var status = Stat(dir["layer/f"]);
        Assert.Equal((1_600_000_000L, 123_000_000u), (status.ModifiedSeconds, status.ModifiedNanoseconds));
    }
}

/// <summary>Runs its tests alone: they measure process-wide allocations.</summary>
[CollectionDefinition(nameof(SerialLayerTests), DisableParallelization = true)]
public class SerialLayerTests;

[Collection(nameof(SerialLayerTests))]
public class LayerMemoryTests
{
    [Fact]
    public async Task UnpacksALargeLayerInBoundedMemory()
    {
        using var dir = new TempDir();
        const long size = 1L << 30;
        var layer = new SyntheticLayer(size);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await LayerUnpacker.UnpackAsync(layer, dir.Path, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(size, result.Size);
        Assert.Equal(size, new FileInfo(dir["big"]).Length);
        // Process-wide (other tests run meanwhile), so generous; buffering the file would be a gigabyte.
        Assert.True(allocated < 64L << 20, $"allocated {allocated / (1 << 20)} MiB");
    }

    /// <summary>A tar of one file of zeros, produced on the fly, so the test itself holds no gigabyte either.</summary>
    private sealed class SyntheticLayer(long size) : ReadOnlyStream
    {
        private readonly byte[] _header = HeaderFor(size);
        private long _position;
        private long Total => 512 + size + 1024;

        private static byte[] HeaderFor(long size)
        {
            var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "big") { DataStream = new MemoryStream() });
            }
            var header = tar.ToArray()[..512];
            Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
            header.AsSpan(148, 8).Fill((byte)' ');
            var sum = header.Sum(b => b);
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
            return header;
        }

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, Total - _position);
            for (var i = 0; i < count;)
            {
                if (_position < 512)
                {
                    var n = (int)Math.Min(count - i, 512 - _position);
                    _header.AsSpan((int)_position, n).CopyTo(buffer[i..]);
                    i += n;
                    _position += n;
                }
                else
                {
                    buffer[i..count].Clear();
                    _position += count - i;
                    i = count;
                }
            }
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }
}
