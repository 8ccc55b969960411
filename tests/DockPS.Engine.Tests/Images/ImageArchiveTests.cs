using System.Formats.Tar;
using System.Text;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;
using DockPS.Engine.Layers;
using DockPS.Engine.Tests.Layers;

namespace DockPS.Engine.Tests.Images;

/// <summary>docker save and docker load: the archive DockPS writes, and the archives it reads.</summary>
public sealed class ImageArchiveTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DockEngine _engine;
    private readonly DockEngine _other;

    public ImageArchiveTests()
    {
        _engine = DockEngine.Open(new EngineOptions { DataRoot = _dir["data"], ExecRoot = _dir["exec"] });
        _other = DockEngine.Open(new EngineOptions { DataRoot = _dir["data2"], ExecRoot = _dir["exec2"] });
    }

    public void Dispose()
    {
        _engine.Dispose();
        _other.Dispose();
        _dir.Dispose();
    }

    private static readonly (string, string, string?) Amd64 = ("linux", "amd64", null);

    private static byte[] Rootfs(string marker) => new LayerBuilder().Dir("etc/").File("etc/marker", marker).Tar();

    private Task<ImageRecord> Import(DockEngine engine, string? reference, string marker) =>
        engine.Images.ImportAsync(new MemoryStream(Rootfs(marker)), new ImportOptions(reference, ["CMD [\"sh\"]"], null, "amd64"), default);

    private static async Task<byte[]> Save(DockEngine engine, params string[] names)
    {
        var output = new MemoryStream();
        await engine.Images.SaveAsync(names, output, default);
        return output.ToArray();
    }

    private static Task<IReadOnlyList<string>> Load(DockEngine engine, byte[] archive) =>
        engine.Images.LoadAsync(new MemoryStream(archive), Amd64, new Progress<TransferProgress>(), default);

    private static Dictionary<string, byte[]> Entries(byte[] archive)
    {
        var entries = new Dictionary<string, byte[]>();
        using var reader = new TarReader(new MemoryStream(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries[entry.Name] = data.ToArray();
        }
        return entries;
    }

    /// <summary>A tar of files, and symlinks given as "-> target".</summary>
    private static byte[] Tar(params (string Name, byte[] Data)[] files)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                var text = Encoding.UTF8.GetString(data);
                tar.WriteEntry(text.StartsWith("-> ", StringComparison.Ordinal)
                    ? new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = text[3..] }
                    : new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }
        return stream.ToArray();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private void AssertNothingStored(DockEngine engine, string dataRoot)
    {
        Assert.Empty(engine.Images.List(FilterSet.Empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(engine.TempDirectory));
        var blobs = Path.Combine(_dir[dataRoot], "blobs", "sha256");
        Assert.True(!Directory.Exists(blobs) || !Directory.EnumerateFiles(blobs).Any(), "no blob may remain");
        var snapshots = Path.Combine(_dir[dataRoot], "snapshots");
        Assert.True(!Directory.Exists(snapshots) || !Directory.EnumerateFileSystemEntries(snapshots).Any(), "no snapshot may remain");
    }

    [Fact]
    public async Task TheArchiveIsBothADockerSaveArchiveAndAnOciLayout()
    {
        var image = await Import(_engine, "web:1", "one");
        var entries = Entries(await Save(_engine, "web:1"));
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", Encoding.UTF8.GetString(entries["oci-layout"]));
        var index = DockPS.Registry.Client.ImageIndex.Parse(entries["index.json"]);
        var descriptor = Assert.Single(index.Manifests);
        Assert.Equal("web:1", descriptor.Annotations!["io.containerd.image.name"]);
        Assert.Equal("1", descriptor.Annotations!["org.opencontainers.image.ref.name"]);
        var manifest = DockPS.Registry.Client.ImageManifest.Parse(entries["blobs/sha256/" + descriptor.Digest[7..]]);
        Assert.Equal(image.Id.ToString(), manifest.Config.Digest);
        Assert.Equal(image.ConfigBytes, entries["blobs/sha256/" + image.Id.Hex]);
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal(layer.Digest, LayerBuilder.Sha256(entries["blobs/sha256/" + layer.Digest[7..]]));
        var docker = System.Text.Json.JsonDocument.Parse(entries["manifest.json"]).RootElement[0];
        Assert.Equal("blobs/sha256/" + image.Id.Hex, docker.GetProperty("Config").GetString());
        Assert.Equal("web:1", docker.GetProperty("RepoTags")[0].GetString());
        Assert.Equal("blobs/sha256/" + layer.Digest[7..], docker.GetProperty("Layers")[0].GetString());
    }

    [Fact]
    public async Task SaveAndLoadRoundTripImagesIntoAnotherEngine()
    {
        var one = await Import(_engine, "web:1", "one");
        var two = await Import(_engine, "db", "two");
        var archive = await Save(_engine, "web:1", "db:latest");
        Assert.Equal(["Loaded image: web:1", "Loaded image: db:latest"], await Load(_other, archive));
        foreach (var (name, original) in new[] { ("web:1", one), ("db", two) })
        {
            var loaded = _other.Images.Find(name);
            Assert.Equal(original.Id, loaded.Id);
            Assert.Equal(original.Layers, loaded.Layers);
            Assert.NotNull(loaded.ManifestDigest);
            Assert.True(_other.Images.Snapshots.Exists(loaded.Layers[0].ChainId));
        }
        Assert.Equal("one", File.ReadAllText(Path.Combine(_other.Images.Snapshots.PathOf(one.Layers[0].ChainId), "etc/marker")));
        // Saved again, a loaded image gives the same archive: the manifest travelled with it.
        Assert.Equal(archive, await Save(_other, "web:1", "db:latest"));
    }

    [Fact]
    public async Task ARepositoryNameSavesEveryTagAndAnIdSavesNoName()
    {
        var image = await Import(_engine, "app:1", "x");
        await _engine.Images.TagAsync("app:1", "app:2", default);
        await Import(_engine, "other", "y");
        var byRepository = Entries(await Save(_engine, "app"));
        var index = DockPS.Registry.Client.ImageIndex.Parse(byRepository["index.json"]);
        Assert.Equal(["app:1", "app:2"], index.Manifests.Select(m => m.Annotations!["io.containerd.image.name"]).Order());
        Assert.Equal(["Loaded image ID: " + image.Id], await Load(_other, await Save(_engine, image.Id.Hex[..12])));
        Assert.True(_other.Images.Find(image.Id.ToString()).Dangling);
        await Assert.ThrowsAsync<ImageNotFoundException>(() => Save(_engine, "missing:1"));
    }

    [Fact]
    public async Task LoadingMovesANameAndLoadingTwiceChangesNothing()
    {
        var saved = await Import(_engine, "app", "new");
        var archive = await Save(_engine, "app");
        var old = await Import(_other, "app", "old");
        var lines = new List<string>();
        await _other.Images.LoadAsync(new MemoryStream(archive), Amd64, new SyncProgress(p => lines.Add(p.Status)), default);
        Assert.Contains($"The image app:latest already exists, renaming the old one with ID {old.Id} to empty string", lines);
        Assert.Equal(saved.Id, _other.Images.Find("app").Id);
        Assert.True(_other.Images.Find(old.Id.ToString()).Dangling);
        var blobCount = Directory.EnumerateFiles(Path.Combine(_dir["data2"], "blobs", "sha256")).Count();
        await Load(_other, archive);
        Assert.Equal(blobCount, Directory.EnumerateFiles(Path.Combine(_dir["data2"], "blobs", "sha256")).Count());
        Assert.Equal(2, _other.Images.List(FilterSet.Empty).Count);
    }

    [Fact]
    public async Task LoadReadsTheLegacyDockerFormatWithLinkedLayersAndCompression()
    {
        // Docker 20.10's save: <id>.json configs, <layer>/layer.tar files, a repeated layer as a symlink.
        var base1 = Rootfs("base");
        var top = new LayerBuilder().File("top", "t").Tar();
        var diffs = new[] { LayerBuilder.Sha256(base1), LayerBuilder.Sha256(top), LayerBuilder.Sha256(base1) };
        var config = Utf8($$$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["{{{diffs[0]}}}","{{{diffs[1]}}}","{{{diffs[2]}}}"]}}""");
        var id = LayerBuilder.Sha256(config)[7..];
        var manifest = Utf8($$$"""[{"Config":"{{{id}}}.json","RepoTags":["legacy:v1"],"Layers":["aaa/layer.tar","bbb/layer.tar","ccc/layer.tar"]}]""");
        var archive = Tar(("aaa/layer.tar", base1), ("bbb/layer.tar", LayerBuilder.Gzip(top)), ("ccc/layer.tar", Utf8("-> ../aaa/layer.tar")),
            (id + ".json", config), ("manifest.json", manifest), ("repositories", Utf8("""{"legacy":{"v1":"ccc"}}""")));
        Assert.Equal(["Loaded image: legacy:v1"], await Load(_engine, LayerBuilder.Gzip(archive)));
        var image = _engine.Images.Find("legacy:v1");
        Assert.Equal("sha256:" + id, image.Id.ToString());
        Assert.Equal(3, image.Layers.Count);
        Assert.Equal(diffs[2], image.Layers[2].DiffId.ToString());
        // Only the layers and the config stay; the legacy files went.
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(_dir["data"], "blobs", "sha256")).Count());
    }

    [Fact]
    public async Task AnOciLayoutWithAnIndexLoadsThePlatformsEntry()
    {
        var layerAmd = LayerBuilder.Gzip(Rootfs("amd"));
        var layerArm = LayerBuilder.Gzip(Rootfs("arm"));
        (string Digest, byte[] Bytes, string Config) Image(byte[] layer, string arch)
        {
            var config = Utf8($$$"""{"architecture":"{{{arch}}}","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{LayerBuilder.Sha256(LayerBuilderGunzip(layer))}}}"]}}""");
            var manifest = Utf8($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{LayerBuilder.Sha256(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{LayerBuilder.Sha256(layer)}}}","size":{{{layer.Length}}}}]}""");
            return (LayerBuilder.Sha256(manifest), manifest, Encoding.UTF8.GetString(config));
        }
        var amd = Image(layerAmd, "amd64");
        var arm = Image(layerArm, "arm64");
        var nested = Utf8($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{arm.Digest}}}","size":{{{arm.Bytes.Length}}},"platform":{"architecture":"arm64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{amd.Digest}}}","size":{{{amd.Bytes.Length}}},"platform":{"architecture":"amd64","os":"linux"}}]}""");
        var index = Utf8($$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{{{LayerBuilder.Sha256(nested)}}}","size":{{{nested.Length}}},"annotations":{"org.opencontainers.image.ref.name":"multi:1"}}]}""");
        var files = new List<(string, byte[])> { ("oci-layout", Utf8("""{"imageLayoutVersion":"1.0.0"}""")), ("index.json", index) };
        foreach (var blob in new[] { layerAmd, layerArm, amd.Bytes, arm.Bytes, nested, Utf8(amd.Config), Utf8(arm.Config) })
        {
            files.Add(("blobs/sha256/" + LayerBuilder.Sha256(blob)[7..], blob));
        }
        Assert.Equal(["Loaded image: multi:1"], await Load(_engine, Tar(files.ToArray())));
        var image = _engine.Images.Find("multi:1");
        Assert.Equal("amd64", image.Config.Architecture);
        Assert.Equal(amd.Digest, image.ManifestDigest.ToString());
        // The arm64 blobs were not kept: no image uses them.
        Assert.False(_engine.Images.Blobs.Exists(Digest.Parse(LayerBuilder.Sha256(layerArm))));
        Assert.True(_engine.Images.Blobs.Exists(Digest.Parse(amd.Digest)));
    }

    private static byte[] LayerBuilderGunzip(byte[] gzip)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public static TheoryData<string> BadArchives => new()
    {
        "escaping path", "lying blob", "not json", "truncated gzip", "hostile layer", "not a tar", "no manifest", "unknown media type", "wrong layer",
    };

    [Theory]
    [MemberData(nameof(BadArchives))]
    public async Task ABadArchiveIsRefusedAndLeavesNothing(string kind)
    {
        var layer = Rootfs("x");
        var diff = LayerBuilder.Sha256(layer);
        var config = Utf8($$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{diff}}}"]}}""");
        byte[] Docker(string layerPath, byte[] layerData) => Tar(("c.json", config), ("l/layer.tar", layerData),
            ("manifest.json", Utf8($$$"""[{"Config":"c.json","RepoTags":["bad:1"],"Layers":["{{{layerPath}}}"]}]""")));
        var hostile = new LayerBuilder().File("../escape", "x").Tar();
        var lying = "blobs/sha256/" + new string('a', 64);
        byte[] archive = kind switch
        {
            "escaping path" => Docker("../../../etc/passwd", layer),
            "lying blob" => Tar((lying, layer), ("manifest.json", Utf8($$$"""[{"Config":"c.json","Layers":["{{{lying}}}"]}]""")), ("c.json", config)),
            "not json" => Tar(("manifest.json", Utf8("{this is not json")), ("l/layer.tar", layer)),
            "truncated gzip" => LayerBuilder.Gzip(Docker("l/layer.tar", layer))[..300],
            "hostile layer" => Tar(("c.json", Utf8(Encoding.UTF8.GetString(config).Replace(diff, LayerBuilder.Sha256(hostile)))), ("l/layer.tar", hostile),
                ("manifest.json", Utf8("""[{"Config":"c.json","RepoTags":["bad:1"],"Layers":["l/layer.tar"]}]"""))),
            "not a tar" => Utf8("hello, this is not an archive"),
            "no manifest" => Tar(("l/layer.tar", LayerBuilder.Gzip(layer))),
            "unknown media type" => UnknownMediaType(layer, config),
            "wrong layer" => Docker("l/layer.tar", Rootfs("something else")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Load(_engine, archive));
        Assert.True(error is InvalidDataException or LayerException or ContentMismatchException, $"{kind}: {error.GetType().Name}: {error.Message}");
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape")));
        AssertNothingStored(_engine, "data");
    }

    private static byte[] UnknownMediaType(byte[] layer, byte[] config)
    {
        var manifest = Utf8($$$"""{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{LayerBuilder.Sha256(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/x-mystery","digest":"{{{LayerBuilder.Sha256(layer)}}}","size":{{{layer.Length}}}}]}""");
        var index = Utf8($$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{LayerBuilder.Sha256(manifest)}}}","size":{{{manifest.Length}}}}]}""");
        return Tar(("oci-layout", Utf8("""{"imageLayoutVersion":"1.0.0"}""")), ("index.json", index),
            ("blobs/sha256/" + LayerBuilder.Sha256(layer)[7..], layer), ("blobs/sha256/" + LayerBuilder.Sha256(config)[7..], config),
            ("blobs/sha256/" + LayerBuilder.Sha256(manifest)[7..], manifest));
    }

    private sealed class SyncProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
