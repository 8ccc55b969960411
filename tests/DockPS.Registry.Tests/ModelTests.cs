using System.Text;
using DockPS.Registry.Client;

namespace DockPS.Registry.Tests;

public class ModelTests
{
    private static string D(char c) => "sha256:" + new string(c, 64);

    private static ImageIndex Index(params (string Os, string Arch, string? Variant, char Digest)[] entries) => ImageIndex.Parse(Encoding.UTF8.GetBytes(
        $$"""
        {"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[
          {{string.Join(",", entries.Select(e => $$"""
            {"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{D(e.Digest)}}","size":100,
             "platform":{"os":"{{e.Os}}","architecture":"{{e.Arch}}"{{(e.Variant is null ? "" : $",\"variant\":\"{e.Variant}\"")}} } }
            """))}}]}
        """));

    [Fact]
    public void SelectPlatformDefaultsToLinuxAmd64AndSkipsAttestations()
    {
        var index = Index(("unknown", "unknown", null, 'a'), ("linux", "arm64", "v8", 'b'), ("linux", "amd64", null, 'c'), ("windows", "amd64", null, 'd'));
        Assert.Equal(D('c'), index.SelectPlatform()?.Digest);
        Assert.Equal(D('b'), index.SelectPlatform("linux", "arm64")?.Digest);
        Assert.Equal(D('b'), index.SelectPlatform("linux", "aarch64", "8")?.Digest);
        Assert.Equal(D('d'), index.SelectPlatform("windows")?.Digest);
        Assert.Null(index.SelectPlatform("linux", "s390x"));
    }

    [Fact]
    public void SelectPlatformMatchesVariantsAsContainerdDoes()
    {
        var index = Index(("linux", "arm", "v6", 'a'), ("linux", "arm", "v7", 'b'), ("linux", "arm64", null, 'c'), ("linux", "amd64", "v3", 'e'));
        Assert.Equal(D('b'), index.SelectPlatform("linux", "arm")?.Digest);         // arm means arm/v7
        Assert.Equal(D('a'), index.SelectPlatform("linux", "arm", "v6")?.Digest);
        Assert.Equal(D('c'), index.SelectPlatform("linux", "arm64", "v8")?.Digest);  // no variant on arm64 means v8
        Assert.Null(index.SelectPlatform("linux", "amd64"));                          // v3 needs asking for
        Assert.Equal(D('e'), index.SelectPlatform("linux", "x86_64", "v3")?.Digest);
    }

    [Fact]
    public void ManifestParsesBothFormatsAndRejectsNonJson()
    {
        var json = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":9,"digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}],
             "annotations":{"k":"v"}}
            """;
        var manifest = ImageManifest.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Equal(7, manifest.Config.Size);
        Assert.True(MediaTypes.IsConfig(manifest.Config.MediaType));
        Assert.Equal(D('b'), Assert.Single(manifest.Layers).Digest);
        Assert.Equal("v", manifest.Annotations!["k"]);
        Assert.Equal(manifest.Layers[0], ImageManifest.Parse(manifest.ToJson()).Layers[0]);

        Assert.Throws<InvalidDataException>(() => ImageManifest.Parse("<html>proxy error</html>"u8));
        Assert.Throws<InvalidDataException>(() => ImageIndex.Parse("null"u8));
    }

    [Theory]
    [InlineData(MediaTypes.OciLayer, LayerCompression.None)]
    [InlineData(MediaTypes.OciLayerGzip, LayerCompression.Gzip)]
    [InlineData(MediaTypes.OciLayerZstd, LayerCompression.Zstd)]
    [InlineData(MediaTypes.DockerLayerGzip, LayerCompression.Gzip)]
    [InlineData(MediaTypes.DockerForeignLayerGzip, LayerCompression.Gzip)]
    [InlineData(MediaTypes.OciLayerNonDistributableZstd, LayerCompression.Zstd)]
    [InlineData("Application/Vnd.Oci.Image.Layer.V1.Tar+Gzip; charset=binary", LayerCompression.Gzip)]
    public void LayerMediaTypesNameTheirCompression(string mediaType, LayerCompression expected)
    {
        Assert.True(MediaTypes.TryGetLayerCompression(mediaType, out var compression));
        Assert.Equal(expected, compression);
        Assert.True(MediaTypes.IsLayer(mediaType));
    }

    [Fact]
    public void OtherMediaTypesAreClassified()
    {
        Assert.False(MediaTypes.TryGetLayerCompression("application/vnd.oci.image.layer.v1.tar+lz4", out _));
        Assert.False(MediaTypes.IsLayer(MediaTypes.OciConfig));
        Assert.True(MediaTypes.IsIndex(MediaTypes.DockerManifestList));
        Assert.True(MediaTypes.IsIndex(MediaTypes.OciIndex));
        Assert.True(MediaTypes.IsManifest(MediaTypes.OciManifest));
        Assert.False(MediaTypes.IsManifest(MediaTypes.OciIndex));
        Assert.Equal(4, MediaTypes.AllManifests.Count);
    }

    [Fact]
    public void DigestsAreValidatedStrictly()
    {
        Assert.True(ContentDigest.IsValid(ContentDigest.Compute("abc"u8)));
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentDigest.Compute("abc"u8));
        Assert.True(ContentDigest.Matches("abc"u8, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        Assert.True(ContentDigest.IsValid("sha512:" + new string('0', 128)));
        Assert.False(ContentDigest.IsValid("sha256:" + new string('A', 64)));
        Assert.False(ContentDigest.IsValid("sha256:" + new string('0', 63)));
        Assert.False(ContentDigest.IsValid("sha1:" + new string('0', 40)));
        Assert.False(ContentDigest.IsValid(null));
    }
}
