using DockPS.Engine.Images;

namespace DockPS.Engine.Tests.Images;

public class DigestTests
{
    [Fact]
    public void ParsesAndFormats()
    {
        var d = Digest.Of("abc"u8);
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.ToString());
        Assert.Equal(d, Digest.Parse(d.ToString()));
        Assert.Equal("ba7816bf8f01", d.Short);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("sha256:../../../../etc/passwd000000000000000000000000000000000000000000")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void RejectsAnythingThatCouldNotBeAFileName(string text) => Assert.Throws<FormatException>(() => Digest.Parse(text));

    [Fact]
    public async Task TheContentStoreRefusesALyingBlob()
    {
        using var dir = new TempDir();
        var store = new ContentStore(dir["blobs"], dir.Path);
        var claimed = Digest.Of("something else"u8);
        await Assert.ThrowsAsync<ContentMismatchException>(() => store.WriteAsync(new MemoryStream("content"u8.ToArray()), claimed, null, default));
        Assert.False(store.Exists(claimed));
        Assert.Empty(Directory.GetFiles(dir.Path));
        var (digest, size) = await store.WriteAsync(new MemoryStream("content"u8.ToArray()), Digest.Of("content"u8), 7, default);
        Assert.Equal(7, size);
        Assert.Equal("content"u8.ToArray(), store.ReadAll(digest));
        await Assert.ThrowsAsync<ContentMismatchException>(() => store.WriteAsync(new MemoryStream("content"u8.ToArray()), null, 3, default));
    }
}
