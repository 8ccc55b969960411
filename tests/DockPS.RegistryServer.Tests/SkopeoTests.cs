using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using DockPS.Registry.Client;
using DockPS.RegistryServer.Tests.Infrastructure;
using static DockPS.RegistryServer.Tests.Infrastructure.Wire;

namespace DockPS.RegistryServer.Tests;

/// <summary>
/// A real client judges: skopeo copies an image made here (busybox-static in one tar layer, as an
/// OCI layout) to our registry and back, as an OCI manifest, a Docker manifest and a multi-arch index.
/// </summary>
public sealed class SkopeoTests(OurRegistry target) : IClassFixture<OurRegistry>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("dockps-skopeo-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("oci", MediaTypes.OciManifest)]
    [InlineData("v2s2", MediaTypes.DockerManifest)]
    public async Task Skopeo_copies_an_image_to_and_from_the_registry(string format, string expectedType)
    {
        var (layout, layer) = await WriteLayoutAsync(_work);
        var reference = $"docker://{target.Host}/skopeo/busybox:{format}";
        await SkopeoAsync("copy", "--insecure-policy", "--dest-tls-verify=false", "--format", format, $"oci:{layout}:latest", reference);

        var raw = await SkopeoAsync("inspect", "--raw", "--tls-verify=false", reference);
        using (var manifest = JsonDocument.Parse(raw))
        {
            Assert.Equal(expectedType, manifest.RootElement.GetProperty("mediaType").GetString());
            Assert.Single(manifest.RootElement.GetProperty("layers").EnumerateArray());
        }

        var back = Path.Combine(_work, "back-" + format);
        await SkopeoAsync("copy", "--insecure-policy", "--src-tls-verify=false", reference, $"oci:{back}:copy");
        AssertHoldsLayer(back, layer);
    }

    [Fact]
    public async Task Skopeo_copies_a_multi_arch_index()
    {
        var (layout, layer) = await WriteLayoutAsync(_work, asIndex: true);
        var reference = $"docker://{target.Host}/skopeo/multi:all";
        await SkopeoAsync("copy", "--insecure-policy", "--all", "--dest-tls-verify=false", $"oci:{layout}:latest", reference);
        using var index = JsonDocument.Parse(await SkopeoAsync("inspect", "--raw", "--tls-verify=false", reference));
        Assert.Equal(MediaTypes.OciIndex, index.RootElement.GetProperty("mediaType").GetString());
        var back = Path.Combine(_work, "back-multi");
        await SkopeoAsync("copy", "--insecure-policy", "--all", "--src-tls-verify=false", reference, $"oci:{back}:copy");
        AssertHoldsLayer(back, layer);
    }

    /// <summary>
    /// The copy back holds our layer: skopeo gzips uncompressed layers on the way into a registry,
    /// so the layer comes back compressed, under another digest, with the same tar inside.
    /// </summary>
    internal static void AssertHoldsLayer(string layout, byte[] layer)
    {
        var found = Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")).Any(blob =>
        {
            var bytes = File.ReadAllBytes(blob);
            if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) { return bytes.AsSpan().SequenceEqual(layer); }
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            return plain.ToArray().AsSpan().SequenceEqual(layer);
        });
        Assert.True(found, "the copied-back image has the busybox layer");
    }

    /// <summary>An OCI layout holding busybox as one uncompressed layer, tagged latest (optionally behind an index).</summary>
    internal static async Task<(string Layout, byte[] Layer)> WriteLayoutAsync(string work, bool asIndex = false)
    {
        var layout = Path.Combine(work, "src-" + Guid.NewGuid().ToString("n")[..6]);
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        string Store(byte[] content)
        {
            var digest = Sha256(content);
            File.WriteAllBytes(Path.Combine(blobs, digest[7..]), content);
            return digest;
        }

        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
            await writer.WriteEntryAsync("/bin/busybox", "bin/busybox");
        }
        var layer = tar.ToArray();
        var layerDigest = Store(layer);
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"sh\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{layerDigest}\"]}}}}");
        var configDigest = Store(config);
        var manifest = ImageManifestJson(MediaTypes.OciManifest, (configDigest, config.Length), [(layerDigest, layer.Length)]);
        var top = (Type: MediaTypes.OciManifest, Digest: Store(manifest), Size: (long)manifest.Length);
        if (asIndex)
        {
            var index = IndexJson(MediaTypes.OciIndex, [(top.Type, top.Digest, top.Size)]);
            top = (MediaTypes.OciIndex, Store(index), index.Length);
        }
        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(layout, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{top.Type}\",\"digest\":\"{top.Digest}\",\"size\":{top.Size},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"latest\"}}}}]}}");
        return (layout, layer);
    }

    internal static async Task<string> SkopeoAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await RunSkopeoAsync(args);
        Assert.True(exit == 0, $"skopeo {string.Join(' ', args)} failed ({exit}): {stderr}");
        return stdout;
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunSkopeoAsync(params string[] args)
    {
        var info = new ProcessStartInfo("skopeo", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
