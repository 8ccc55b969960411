using DockPS.Engine.Layers;
using static DockPS.Engine.Tests.Layers.LayerBuilder;

namespace DockPS.Engine.Tests.Layers;

public class LayerCompressionTests
{
    private static byte[] SomeTar()
    {
        var random = new Random(42);
        var builder = new LayerBuilder().Dir("data/");
        for (var i = 0; i < 20; i++)
        {
            var text = new char[5000];
            for (var j = 0; j < text.Length; j++) { text[j] = (char)('a' + random.Next(26)); }
            builder.File($"data/{i}", new string(text));
        }
        return builder.Tar();
    }

    [Theory]
    [InlineData(new byte[] { 0x1F, 0x8B, 8, 0 }, CompressionKind.Gzip)]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, CompressionKind.Zstd)]
    [InlineData(new byte[] { 0x50, 0x2A, 0x4D, 0x18 }, CompressionKind.Zstd)]
    [InlineData(new byte[] { (byte)'b', (byte)'i', (byte)'n', (byte)'/' }, CompressionKind.None)]
    [InlineData(new byte[] { 0x1F }, CompressionKind.None)]
    public void DetectsCompressionFromMagicBytes(byte[] magic, CompressionKind expected)
    {
        Assert.Equal(expected, LayerCompression.Detect(magic));
        Assert.Equal(expected, LayerCompression.Detect(new MemoryStream(magic)));
    }

    [Theory]
    [InlineData(CompressionKind.None)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Zstd)]
    public async Task OpensAForwardOnlyStream(CompressionKind kind)
    {
        var tar = SomeTar();
        var opened = await LayerCompression.OpenAsync(new ForwardOnlyStream(Compress(tar, kind)), CancellationToken.None);
        using var copy = new MemoryStream();
        await opened.Content.CopyToAsync(copy);
        Assert.Equal(kind, opened.Compression);
        Assert.Equal(tar, copy.ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(0.5)]
    [InlineData(-8)]
    [InlineData(-1)]
    public async Task ATruncatedGzipStreamIsRefused(double cut)
    {
        using var dir = new TempDir();
        var gzip = Gzip(SomeTar());
        var length = cut switch { < 0 => gzip.Length + (int)cut, < 1 => (int)(gzip.Length * cut), _ => (int)cut };
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(gzip[..length], dir["layer"]));
        Assert.Contains("truncated gzip stream", error.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1)]
    public async Task ATruncatedZstdStreamIsRefused(double cut)
    {
        using var dir = new TempDir();
        var zstd = Zstd(SomeTar());
        var length = cut < 0 ? zstd.Length + (int)cut : (int)(zstd.Length * cut);
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(zstd[..length], dir["layer"]));
        Assert.Contains("truncated zstd stream", error.Message);
    }

    [Fact]
    public async Task ACorruptGzipStreamIsRefused()
    {
        using var dir = new TempDir();
        var gzip = Gzip(SomeTar());
        gzip[gzip.Length / 2] ^= 0xFF;
        gzip[gzip.Length / 2 + 1] ^= 0xFF;
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(gzip, dir["layer"]));
        Assert.Contains("corrupt gzip stream", error.Message);
    }

    [Fact]
    public async Task AGzipCrcMismatchIsRefused()
    {
        using var dir = new TempDir();
        var gzip = Gzip(SomeTar());
        gzip[^8] ^= 1;
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(gzip, dir["layer"]));
        Assert.Contains("corrupt gzip stream", error.Message);
    }

    [Fact]
    public async Task ACorruptZstdStreamIsRefused()
    {
        using var dir = new TempDir();
        var zstd = Zstd(SomeTar());
        for (var i = zstd.Length / 3; i < zstd.Length / 3 + 16; i++) { zstd[i] ^= 0x5A; }
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(zstd, dir["layer"]));
        Assert.Contains("zstd stream", error.Message);
    }

    [Fact]
    public async Task GarbageIsNotATar()
    {
        using var dir = new TempDir();
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = (byte)'x';
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(garbage, dir["layer"]));
        Assert.Contains("not a tar archive", error.Message);
        var shortGarbage = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(garbage[..100], dir["layer2"]));
        Assert.Contains("not a tar archive", shortGarbage.Message);
    }

    [Fact]
    public async Task ATarTruncatedInsideAFileIsRefused()
    {
        using var dir = new TempDir();
        var tar = SomeTar();
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(tar[..(tar.Length / 2 + 100)], dir["layer"]));
        Assert.Contains("truncated tar stream", error.Message);
    }

    [Fact]
    public async Task MultiMemberGzipIsOneStream()
    {
        using var dir = new TempDir();
        var tar = SomeTar();
        var half = tar.Length / 2 + 77;
        byte[] blob = [.. Gzip(tar[..half]), .. Gzip(tar[half..])];
        var result = await UnpackAsync(blob, dir["layer"]);
        Assert.Equal(Sha256(tar), result.DiffId);
        Assert.Equal(Sha256(blob), result.Digest);
        Assert.Equal(21, result.EntryCount);
    }

    [Theory]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Zstd)]
    public async Task DataAfterTheCompressedStreamIsRefused(CompressionKind kind)
    {
        using var dir = new TempDir();
        byte[] blob = [.. Compress(SomeTar(), kind), .. "trailing junk"u8];
        var error = await Assert.ThrowsAsync<LayerException>(() => UnpackAsync(blob, dir["layer"]));
        Assert.Contains(kind.ToString().ToLowerInvariant(), error.Message);
    }

    [Fact]
    public async Task TheDiffIdCoversPaddingAfterTheEndOfArchive()
    {
        using var dir = new TempDir();
        byte[] tar = [.. SomeTar(), .. new byte[10240]];
        var gzip = Gzip(tar);
        var result = await UnpackAsync(gzip, dir["layer"]);
        Assert.Equal(Sha256(tar), result.DiffId);
    }
}
