using System.Collections.Concurrent;
using DockPS.Engine.Events;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>How many layers move at once: enough to fill the link, few enough for 2 cores.</summary>
    private const int ParallelLayers = 3;

    /// <summary>Blob commits a pull left running (see <see cref="FetchLayerAsync"/>).</summary>
    private readonly List<Task> _committing = [];

    /// <summary>Registry settings (set by the daemon from its configuration).</summary>
    public RegistrySettings Registries { get; set; } = new([], null);

    /// <summary>A client for the registry a reference names, with the caller's credential if any.</summary>
    public RegistryClient ClientFor(ImageReference reference, RegistryCredential? credential)
    {
        var registry = reference.Registry ?? throw new InvalidImageReferenceException(reference.ToString(),
            "it names no registry, and DockPS has no default one: write registry/name, e.g. localhost:5000/" + reference.Repository);
        return new RegistryClient(registry, new RegistryClientOptions
        {
            InsecureRegistries = Registries.InsecureRegistries,
            Credential = credential,
            CredentialStore = new DockerConfigCredentialStore(Registries.DockerConfigPath),
        });
    }

    /// <summary>
    /// Pulls an image: its manifest (the <paramref name="platform"/> entry of an index), its
    /// configuration and every layer not already unpacked, downloading layers in parallel and
    /// unpacking each as it lands. Blobs are verified against their digests; nothing half-done
    /// becomes visible. Returns the image, named by the reference's tag and manifest digest.
    /// </summary>
    public async Task<ImageRecord> PullAsync(string referenceText, (string Os, string Architecture, string? Variant) platform,
        RegistryCredential? credential, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(referenceText);
        if (reference.Tag is null && reference.Digest is null) { reference = reference.WithTag(ImageReference.DefaultTag); }
        using var client = ClientFor(reference, credential);
        // Nothing is reported before the manifest is in hand, so an unknown image or a refused
        // login still answers with its own status code rather than a message mid-stream.
        var fetched = await client.GetManifestAsync(reference.Repository, reference.ManifestReference, MediaTypes.AllManifests, cancellationToken);
        progress.Report(new TransferProgress(null, $"Pulling from {reference.Repository}"));
        if (MediaTypes.IsIndex(fetched.MediaType))
        {
            var entry = ImageIndex.Parse(fetched.Content).SelectPlatform(platform.Os, platform.Architecture, platform.Variant)
                ?? throw new InvalidDataException($"{reference} has no image for {platform.Os}/{platform.Architecture}{(platform.Variant is null ? "" : "/" + platform.Variant)}");
            fetched = await client.GetManifestAsync(reference.Repository, entry.Digest, MediaTypes.AllManifests, cancellationToken);
        }
        if (!MediaTypes.IsManifest(fetched.MediaType) || MediaTypes.IsIndex(fetched.MediaType))
        {
            throw new InvalidDataException($"{reference}: unsupported manifest media type \"{fetched.MediaType}\"");
        }
        var manifest = ImageManifest.Parse(fetched.Content);
        var manifestDigest = Digest.Parse(fetched.Digest);
        if (manifest.Layers.FirstOrDefault(l => !MediaTypes.IsLayer(l.MediaType)) is { } unknown)
        {
            throw new InvalidDataException($"{reference}: layer {unknown.Digest} has the unsupported media type \"{unknown.MediaType}\"");
        }

        var configBytes = await FetchSmallBlobAsync(client, reference.Repository, manifest.Config, cancellationToken);
        var config = ImageConfig.Parse(configBytes);
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
        {
            throw new InvalidDataException($"{reference}: the manifest lists {manifest.Layers.Count} layers but the configuration {config.RootFs.DiffIds.Count}");
        }

        var pending = new ConcurrentBag<PendingBlob>();
        try
        {
            var layers = await PullLayersAsync(client, reference.Repository, manifest, config, pending, progress, cancellationToken);
            var image = await RecordPullAsync(reference, fetched, manifestDigest, configBytes, config, layers, cancellationToken);
            // Only now do the layer blobs go to disk for good: a fsync running earlier would hold up
            // every other one on this file system (the database's commit included) until it ended.
            foreach (var blob in pending) { CommitInBackground(blob); }
            pending.Clear();
            progress.Report(new TransferProgress(null, $"Digest: {manifestDigest}"));
            progress.Report(new TransferProgress(null, $"Status: Downloaded newer image for {reference}"));
            return image;
        }
        finally
        {
            foreach (var blob in pending) { await blob.Writer.DisposeAsync(); }
        }
    }

    /// <summary>Stores the configuration and manifest and records the pulled image with its names.</summary>
    private async Task<ImageRecord> RecordPullAsync(ImageReference reference, RegistryManifest fetched, Digest manifestDigest, byte[] configBytes,
        ImageConfig config, List<LayerRecord> layers, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var (configDigest, _) = await blobs.WriteAsync(configBytes, cancellationToken);
            await blobs.WriteAsync(fetched.Content, cancellationToken);
            var image = new ImageRecord
            {
                Id = configDigest, Config = config, ConfigBytes = configBytes, Layers = layers,
                Size = layers.Sum(l => l.Size), Stored = DateTimeOffset.UtcNow,
                ManifestDigest = manifestDigest, ManifestMediaType = fetched.MediaType,
            };
            var names = new List<(string, string)> { ($"{reference.Name}@{manifestDigest}", "digest") };
            if (reference.Tag is { } tag && reference.Digest is null) { names.Add(($"{reference.Name}:{tag}", "tag")); }
            store.Add(image, names);
            events.Publish(EventTypes.Image, "pull", reference.ToString(), new Dictionary<string, string> { ["name"] = reference.ToString() });
            return store.Get(configDigest)!;
        }
        finally { _writer.Release(); }
    }

    private async Task<byte[]> FetchSmallBlobAsync(RegistryClient client, string repository, Descriptor descriptor, CancellationToken cancellationToken)
    {
        const int limit = 16 << 20;
        if (descriptor.Size > limit) { throw new InvalidDataException($"configuration blob {descriptor.Digest} is {descriptor.Size} bytes, over the {limit}-byte limit"); }
        await using var stream = await client.OpenBlobAsync(repository, descriptor.Digest, 0, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        if (Digest.Of(bytes).ToString() != descriptor.Digest) { throw new ContentMismatchException($"configuration blob does not match its digest {descriptor.Digest}"); }
        return bytes;
    }

    /// <summary>Downloads and unpacks the layers not present yet; returns all layer records, bottom first.</summary>
    private async Task<List<LayerRecord>> PullLayersAsync(RegistryClient client, string repository, ImageManifest manifest, ImageConfig config,
        ConcurrentBag<PendingBlob> pending, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var plan = new List<(Descriptor Blob, Digest DiffId, Digest? Parent, Digest Chain)>();
        Digest? parent = null;
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var diffId = Digest.Parse(config.RootFs.DiffIds[i]);
            var chain = LayerRecord.ChainOf(parent, diffId);
            plan.Add((manifest.Layers[i], diffId, parent, chain));
            parent = chain;
        }
        var done = new ConcurrentDictionary<int, LayerRecord>();
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Count), new ParallelOptions { MaxDegreeOfParallelism = ParallelLayers, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (blob, diffId, layerParent, chain) = plan[i];
                var shortId = Digest.Parse(blob.Digest).Short;
                if (store.GetLayer(chain) is { } existing && snapshots.Exists(chain))
                {
                    progress.Report(new TransferProgress(shortId, "Already exists"));
                    done[i] = existing;
                    return;
                }
                progress.Report(new TransferProgress(shortId, "Pulling fs layer"));
                var blobDigest = Digest.Parse(blob.Digest);
                if (blobs.Exists(blobDigest))
                {
                    progress.Report(new TransferProgress(shortId, "Extracting", 0, blob.Size));
                    await using var stored = blobs.OpenRead(blobDigest);
                    done[i] = (await snapshots.CreateAsync(layerParent, stored, diffId, ct)).Layer;
                    store.AddLayerBlob(diffId, blobDigest, MediaTypes.Normalize(blob.MediaType) ?? blob.MediaType, blob.Size);
                }
                else
                {
                    var (layer, packed) = await FetchLayerAsync(client, repository, blob, layerParent, diffId, shortId, progress, ct);
                    pending.Add(packed);
                    done[i] = layer;
                }
                progress.Report(new TransferProgress(shortId, "Pull complete"));
            });
        return Enumerable.Range(0, plan.Count).Select(i => done[i]).ToList();
    }

    /// <summary>
    /// Downloads a layer blob and unpacks it in the same pass (<see cref="BlobDownload"/>): the
    /// unpacker reads ahead on its own thread, so downloading with hashing and storing runs beside
    /// parsing and writing files. The blob is verified before the unpack can end, and handed back
    /// still in its temp file: it is made durable (fsync, rename) in the background once the image
    /// is recorded. The disk cannot take a fsync'd blob as fast as loopback delivers it, and only
    /// push and save need the blob; they wait for it (<see cref="BlobsSettledAsync"/>).
    /// </summary>
    private async Task<(LayerRecord Layer, PendingBlob Blob)> FetchLayerAsync(RegistryClient client, string repository, Descriptor blob, Digest? parent, Digest diffId,
        string shortId, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var digest = Digest.Parse(blob.Digest);
        // A blob whose digest is its diff ID must be a plain tar, and the unpack's diff ID check then
        // verifies it: hashing it on the download thread as well would only slow that thread down.
        var plainTar = digest == diffId;
        var writer = blobs.BeginWrite(digest, blob.Size, hashing: !plainTar);
        try
        {
            LayerRecord layer;
            await using (var download = new BlobDownload(client, repository, blob, writer, shortId, progress, cancellationToken))
            {
                var (unpacked, record) = await snapshots.CreateAsync(parent, download, diffId, verifiedBlob: digest, cancellationToken);
                if (plainTar && unpacked.Compression != Layers.CompressionKind.None)
                {
                    snapshots.Remove(record.ChainId);
                    throw new ContentMismatchException($"layer {digest} is {unpacked.Compression.ToString().ToLowerInvariant()}-compressed, so its digest cannot be its diff ID");
                }
                layer = record;
            }
            return (layer, new PendingBlob(writer, diffId, MediaTypes.Normalize(blob.MediaType) ?? blob.MediaType, blob.Size));
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes a verified blob durable and visible, then records it as the layer's packed form, off the pull's path.</summary>
    private void CommitInBackground(PendingBlob blob)
    {
        var commit = Task.Run(async () =>
        {
            await using (blob.Writer)
            {
                var (digest, _) = await blob.Writer.CommitAsync(CancellationToken.None);
                store.AddLayerBlob(blob.DiffId, digest, blob.MediaType, blob.Size);
            }
        });
        lock (_committing) { _committing.Add(commit); }
        _ = commit.ContinueWith(done => { lock (_committing) { _committing.Remove(done); } }, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until every blob a pull handed to the background is on disk and recorded. A commit
    /// that failed (a full disk) leaves its layer without a packed form: the image still runs,
    /// and push or save say what is missing.
    /// </summary>
    public async Task BlobsSettledAsync()
    {
        Task[] pending;
        lock (_committing) { pending = _committing.ToArray(); }
        try { await Task.WhenAll(pending); }
        catch (Exception) when (pending.All(t => t.IsCompleted)) { }
    }
}

/// <summary>A downloaded, verified layer blob still in its temp file, and what to record once it is committed.</summary>
internal sealed record PendingBlob(BlobWriter Writer, Digest DiffId, string MediaType, long Size);
