using System.Security.Cryptography;
using System.Text;
using DockPS.Registry.Client;

namespace DockPS.Registry.Tests.Infrastructure;

/// <summary>A blob the tests push: random bytes with their digest.</summary>
public sealed record TestBlob(byte[] Bytes, string Digest)
{
    public static TestBlob Random(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        return new TestBlob(bytes, ContentDigest.Compute(bytes));
    }

    public static TestBlob Of(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new TestBlob(bytes, ContentDigest.Compute(bytes));
    }

    public long Size => Bytes.Length;

    /// <summary>The opener PushBlobAsync wants: a stream from an offset.</summary>
    public Stream Open(long offset) => new MemoryStream(Bytes, (int)offset, Bytes.Length - (int)offset, writable: false);
}

/// <summary>Builds small, valid images (config + layers + manifest) for push and pull tests.</summary>
public static class TestImages
{
    /// <summary>Unique repository names keep tests sharing a registry apart.</summary>
    public static string Repository(string prefix = "test") => $"{prefix}/r{Guid.NewGuid():N}"[..(prefix.Length + 14)];

    public static TestBlob Config(string layerDiffId) => TestBlob.Of(
        $$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["{{layerDiffId}}"]} }""");

    /// <summary>Manifest JSON written by hand, in a key order the client must not disturb.</summary>
    public static byte[] Manifest(string mediaType, string configMediaType, TestBlob config, string layerMediaType, TestBlob layer) =>
        Encoding.UTF8.GetBytes($$"""
            {
               "schemaVersion": 2,
               "mediaType": "{{mediaType}}",
               "config": { "mediaType": "{{configMediaType}}", "size": {{config.Size}}, "digest": "{{config.Digest}}" },
               "layers": [ { "mediaType": "{{layerMediaType}}", "size": {{layer.Size}}, "digest": "{{layer.Digest}}" } ]
            }
            """);

    /// <summary>Pushes a config and one layer and returns an OCI manifest for them (not yet pushed).</summary>
    public static async Task<byte[]> PushOciImageAsync(RegistryClient client, string repository)
    {
        var layer = TestBlob.Random(4096);
        var config = Config(layer.Digest);
        await client.PushBlobAsync(repository, layer.Digest, layer.Size, layer.Open);
        await client.PushBlobAsync(repository, config.Digest, config.Size, config.Open);
        return Manifest(MediaTypes.OciManifest, MediaTypes.OciConfig, config, MediaTypes.OciLayerGzip, layer);
    }

    /// <summary>Reads a whole blob stream.</summary>
    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
