using DockPS.Engine.Events;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Pushes an image under <paramref name="referenceText"/> (registry/name[:tag]): every layer
    /// blob the registry lacks (existing ones are skipped, layers from another repository of the
    /// same registry mounted), the configuration, then the manifest. A pulled image is pushed with
    /// its original manifest, byte for byte; an image made here gets an OCI manifest.
    /// </summary>
    /// <returns>The manifest digest the registry now serves and the manifest's size.</returns>
    public async Task<(Digest Digest, long Size)> PushAsync(string referenceText, RegistryCredential? credential,
        IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(referenceText);
        if (reference.Digest is not null) { throw new InvalidImageReferenceException(referenceText, "push a tag, not a digest"); }
        reference = reference.WithTag(reference.Tag ?? ImageReference.DefaultTag);
        var image = Find(LocalName(reference));
        using var client = ClientFor(reference, credential);
        progress.Report(new TransferProgress(null, $"The push refers to repository [{reference.Name}]"));

        await BlobsSettledAsync();
        var (manifestBytes, mediaType, layerBlobs) = ManifestFor(image);
        var mountFrom = image.RepoDigests.Concat(image.RepoTags)
            .Select(n => ImageReference.TryParse(n, out var r, out _) ? r : null)
            .FirstOrDefault(r => r is not null && r.Registry == reference.Registry && r.Repository != reference.Repository)?.Repository;

        foreach (var blob in layerBlobs) { progress.Report(new TransferProgress(blob.Digest.Short, "Preparing")); }
        await Parallel.ForEachAsync(layerBlobs, new ParallelOptions { MaxDegreeOfParallelism = ParallelLayers, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                var shortId = blob.Digest.Short;
                var result = await client.PushBlobAsync(reference.Repository, blob.Digest.ToString(), blob.Size,
                    offset => { var s = blobs.OpenRead(blob.Digest); s.Position = offset; return s; },
                    new PushBlobOptions
                    {
                        MountFrom = mountFrom,
                        Progress = new Reporter<long>(n => progress.Report(new TransferProgress(shortId, "Pushing", n, blob.Size))),
                    }, ct);
                progress.Report(new TransferProgress(shortId, result switch
                {
                    BlobPushResult.AlreadyExists => "Layer already exists",
                    BlobPushResult.Mounted => $"Mounted from {mountFrom}",
                    _ => "Pushed",
                }));
            });
        var config = image.ConfigBytes;
        await client.PushBlobAsync(reference.Repository, image.Id.ToString(), config.Length, offset => new MemoryStream(config, (int)offset, config.Length - (int)offset), null, cancellationToken);
        var pushed = Digest.Parse(await client.PutManifestAsync(reference.Repository, reference.Tag!, manifestBytes, mediaType, cancellationToken));

        await _writer.WaitAsync(cancellationToken);
        try
        {
            await blobs.WriteAsync(manifestBytes, cancellationToken);
            store.Add(image with { ManifestDigest = pushed, ManifestMediaType = mediaType }, [($"{reference.Name}@{pushed}", "digest")]);
        }
        finally { _writer.Release(); }
        events.Publish(EventTypes.Image, "push", reference.ToString(), new Dictionary<string, string> { ["name"] = reference.ToString() });
        progress.Report(new TransferProgress(null, $"{reference.Tag}: digest: {pushed} size: {manifestBytes.Length}"));
        return (pushed, manifestBytes.Length);
    }

    /// <summary>
    /// The manifest to push: the stored one when every blob it names is still here (so a pulled
    /// image goes back byte-identical), else a new OCI manifest over the layer blobs we hold.
    /// </summary>
    private (byte[] Bytes, string MediaType, IReadOnlyList<LayerBlob> Layers) ManifestFor(ImageRecord image)
    {
        if (image.ManifestDigest is { } digest && image.ManifestMediaType is { } storedType && blobs.Exists(digest))
        {
            var bytes = blobs.ReadAll(digest);
            var stored = ImageManifest.Parse(bytes);
            var layers = stored.Layers.Select(l => new LayerBlob(Digest.Parse(l.Digest), l.MediaType, l.Size)).ToList();
            if (stored.Config.Digest == image.Id.ToString() && layers.All(l => blobs.Exists(l.Digest))) { return (bytes, storedType, layers); }
        }
        var own = image.Layers.Select(l => store.LayerBlobs(l.DiffId).FirstOrDefault(b => blobs.Exists(b.Digest))
            ?? throw new InvalidOperationException($"no packed form of layer {l.DiffId} is stored, so {image.Id.Short} cannot be pushed")).ToList();
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = image.Id.ToString(), Size = image.ConfigBytes.Length },
            Layers = own.Select(b => new Descriptor { MediaType = b.MediaType, Digest = b.Digest.ToString(), Size = b.Size }).ToList(),
        };
        return (manifest.ToJson(), MediaTypes.OciManifest, own);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would reorder lines through the thread pool).</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
