using DockPS.Engine.Archives;
using DockPS.Engine.Events;
using DockPS.Registry.Client;

namespace DockPS.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Writes images to <paramref name="output"/> as one tar that is both a docker-save archive and
    /// an OCI image layout (as <c>docker save</c> does). A name without tag selects every tag of
    /// that repository; an ID saves the image without names. Layers go out as stored (compressed),
    /// with each image's manifest, so a pulled image saved and loaded keeps its manifest digest.
    /// </summary>
    /// <exception cref="ImageNotFoundException">A name matches no image; nothing is written.</exception>
    public async Task SaveAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        if (names.Count == 0) { throw new ArgumentException("name at least one image to save"); }
        var images = new List<(ImageRecord Image, List<string> Tags, byte[] Manifest, string MediaType, IReadOnlyList<LayerBlob> Layers)>();
        var layerFiles = new Dictionary<Digest, (Stream Content, long Size)>();
        try
        {
            // Open every blob under the writer lock: a removal racing the save then cannot take a
            // blob away (an open file stays readable after its name is gone).
            await BlobsSettledAsync();
            await _writer.WaitAsync(cancellationToken);
            try
            {
                foreach (var (image, tag) in names.SelectMany(SaveSelection))
                {
                    var index = images.FindIndex(i => i.Image.Id == image.Id);
                    if (index < 0)
                    {
                        var (manifest, mediaType, layers) = ManifestFor(image);
                        images.Add((image, [], manifest, mediaType, layers));
                        index = images.Count - 1;
                        foreach (var layer in layers.Where(l => !layerFiles.ContainsKey(l.Digest))) { layerFiles[layer.Digest] = (blobs.OpenRead(layer.Digest), layer.Size); }
                    }
                    if (tag is not null && !images[index].Tags.Contains(tag)) { images[index].Tags.Add(tag); }
                }
            }
            finally { _writer.Release(); }

            using var tar = new ArchiveTarWriter(output);
            await tar.AddDirectoryAsync("blobs", cancellationToken);
            await tar.AddDirectoryAsync("blobs/" + Digest.Sha256, cancellationToken);
            foreach (var (digest, (content, size)) in layerFiles) { await tar.AddFileAsync(ArchiveFormat.BlobPath(digest), content, size, cancellationToken); }
            var descriptors = new List<Descriptor>();
            var entries = new List<DockerArchiveEntry>();
            foreach (var (image, tags, manifest, mediaType, layers) in images)
            {
                var manifestDigest = Digest.Of(manifest);
                await tar.AddFileAsync(ArchiveFormat.BlobPath(image.Id), image.ConfigBytes, cancellationToken);
                await tar.AddFileAsync(ArchiveFormat.BlobPath(manifestDigest), manifest, cancellationToken);
                var descriptor = new Descriptor { MediaType = mediaType, Digest = manifestDigest.ToString(), Size = manifest.Length };
                descriptors.AddRange(tags.Count == 0 ? [descriptor] : tags.Select(tag => descriptor with
                {
                    Annotations = new Dictionary<string, string>
                    {
                        [ArchiveFormat.ImageNameAnnotation] = tag,
                        [ArchiveFormat.RefNameAnnotation] = ImageReference.Parse(tag).Tag ?? ImageReference.DefaultTag,
                    },
                }));
                entries.Add(new DockerArchiveEntry
                {
                    Config = ArchiveFormat.BlobPath(image.Id),
                    RepoTags = tags.Count == 0 ? null : tags,
                    Layers = layers.Select(l => ArchiveFormat.BlobPath(l.Digest)).ToList(),
                });
            }
            await tar.AddFileAsync(ArchiveFormat.OciIndex, new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = descriptors }.ToJson(), cancellationToken);
            await tar.AddFileAsync(ArchiveFormat.DockerManifest, ArchiveFormat.DockerManifestBytes(entries), cancellationToken);
            await tar.AddFileAsync(ArchiveFormat.OciLayoutFile, ArchiveFormat.OciLayoutContent.ToArray(), cancellationToken);
            await tar.FinishAsync(cancellationToken);
        }
        finally
        {
            foreach (var (content, _) in layerFiles.Values) { await content.DisposeAsync(); }
        }
        foreach (var (image, _, _, _, _) in images)
        {
            events.Publish(EventTypes.Image, "save", image.Id.ToString(), new Dictionary<string, string> { ["name"] = image.Id.ToString() });
        }
    }

    /// <summary>The images (and the name to save each under, if any) that one save argument selects.</summary>
    private IEnumerable<(ImageRecord Image, string? Tag)> SaveSelection(string name)
    {
        if (ImageReference.TryParse(name, out var reference, out _) && reference is { Tag: null, Digest: null })
        {
            var tagged = store.All().SelectMany(image => image.RepoTags
                .Where(tag => ImageReference.TryParse(tag, out var r, out _) && r.Name == reference.Name)
                .Select(tag => (image, (string?)tag))).ToList();
            if (tagged.Count > 0) { return tagged; }
        }
        var found = Find(name);
        var byTag = reference is { Digest: null } && found.RepoTags.Contains(LocalName(reference));
        return [(found, byTag ? LocalName(reference!) : null)];
    }

    /// <summary>
    /// Loads the images of a docker-save or OCI image-layout archive (plain, gzip or zstd), as
    /// <c>docker load</c> does. Every blob is verified and every layer unpacked before an image is
    /// recorded; a name the archive gives moves to the loaded image. An index in an OCI layout
    /// yields its <paramref name="platform"/> entry.
    /// </summary>
    /// <returns>What was loaded, as Docker reports it ("Loaded image: name", "Loaded image ID: id").</returns>
    /// <exception cref="InvalidDataException">Not an image archive, or one that names files it lacks.</exception>
    /// <exception cref="Layers.LayerException">The archive or a layer is corrupt or hostile; nothing of it is kept.</exception>
    public async Task<IReadOnlyList<string>> LoadAsync(Stream input, (string Os, string Architecture, string? Variant) platform,
        IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var opened = await Layers.LayerCompression.OpenAsync(input, cancellationToken);
        var archive = await ImageArchive.ReadAsync(opened.Content, blobs, progress, cancellationToken);
        await BlobsSettledAsync();
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var loaded = new List<string>();
            foreach (var image in archive.Images(platform)) { loaded.AddRange(await CommitLoadedAsync(image, progress, cancellationToken)); }
            foreach (var line in loaded) { progress.Report(new TransferProgress(null, line)); }
            return loaded;
        }
        finally
        {
            archive.DeleteAdded(store.IsReferenced);
            _writer.Release();
        }
    }

    /// <summary>Unpacks an archived image's missing layers and records it with its names (under the writer lock).</summary>
    private async Task<IReadOnlyList<string>> CommitLoadedAsync(ArchivedImage archived, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var config = ImageConfig.Parse(archived.Config);
        if (config.RootFs.DiffIds.Count != archived.Layers.Count)
        {
            throw new InvalidDataException($"the archive lists {archived.Layers.Count} layers for an image whose configuration has {config.RootFs.DiffIds.Count}");
        }
        var names = archived.Names.Select(n => ImageReference.Parse(n) is { Digest: null } r ? LocalName(r)
            : throw new InvalidImageReferenceException(n, "an archive cannot name an image by digest")).ToList();
        var layers = new List<LayerRecord>();
        Digest? parent = null;
        for (var i = 0; i < archived.Layers.Count; i++)
        {
            var (blob, size, mediaType) = archived.Layers[i];
            var diffId = Digest.Parse(config.RootFs.DiffIds[i]);
            var chain = LayerRecord.ChainOf(parent, diffId);
            await using (var content = blobs.OpenRead(blob))
            {
                mediaType ??= LayerMediaType(content);
                if (store.GetLayer(chain) is { } existing && snapshots.Exists(chain)) { layers.Add(existing); }
                else
                {
                    progress.Report(new TransferProgress(blob.Short, "Extracting", 0, size));
                    content.Position = 0;
                    layers.Add((await snapshots.CreateAsync(parent, content, diffId, cancellationToken)).Layer);
                }
            }
            store.AddLayerBlob(diffId, blob, mediaType, size);
            parent = chain;
        }
        var (id, _) = await blobs.WriteAsync(archived.Config, cancellationToken);
        foreach (var name in names)
        {
            if (store.FindByName(name) is { } old && old != id)
            {
                progress.Report(new TransferProgress(null, $"The image {name} already exists, renaming the old one with ID {old} to empty string"));
            }
        }
        store.Add(new ImageRecord
        {
            Id = id, Config = config, ConfigBytes = archived.Config, Layers = layers, Size = layers.Sum(l => l.Size),
            Stored = DateTimeOffset.UtcNow, ManifestDigest = archived.Manifest?.Digest, ManifestMediaType = archived.Manifest?.MediaType,
        }, names.Select(n => (n, "tag")));
        events.Publish(EventTypes.Image, "load", id.ToString(), new Dictionary<string, string> { ["name"] = id.ToString() });
        foreach (var name in names) { events.Publish(EventTypes.Image, "tag", id.ToString(), new Dictionary<string, string> { ["name"] = name }); }
        return names.Count == 0 ? [$"Loaded image ID: {id}"] : names.Select(n => $"Loaded image: {n}").ToList();
    }
}
