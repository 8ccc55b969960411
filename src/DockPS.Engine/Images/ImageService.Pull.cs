using System.Collections.Concurrent;
using DockPS.Engine.Events;
using DockPS.Registry.Client;
using DockPS.Registry.Client.Auth;

namespace DockPS.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>How many layers move at once: enough to fill the link, few enough for 2 cores.</summary>
    private const int ParallelLayers = 3;

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

        var layers = await PullLayersAsync(client, reference.Repository, manifest, config, progress, cancellationToken);
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
            progress.Report(new TransferProgress(null, $"Digest: {manifestDigest}"));
            progress.Report(new TransferProgress(null, $"Status: Downloaded newer image for {reference}"));
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
        IProgress<TransferProgress> progress, CancellationToken cancellationToken)
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
                if (!blobs.Exists(blobDigest)) { await DownloadAsync(client, repository, blob, shortId, progress, ct); }
                progress.Report(new TransferProgress(shortId, "Extracting", 0, blob.Size));
                await using (var stored = blobs.OpenRead(blobDigest))
                {
                    var (_, layer) = await snapshots.CreateAsync(layerParent, stored, diffId, ct);
                    done[i] = layer;
                }
                store.AddLayerBlob(diffId, blobDigest, MediaTypes.Normalize(blob.MediaType) ?? blob.MediaType, blob.Size);
                progress.Report(new TransferProgress(shortId, "Pull complete"));
            });
        return Enumerable.Range(0, plan.Count).Select(i => done[i]).ToList();
    }

    /// <summary>
    /// Downloads one blob into the content store. A dropped connection costs only what was in
    /// flight: the next attempt asks the registry for the rest (a Range request) and appends it,
    /// after a short, growing pause. Anything else (a refusal, wrong content) fails at once.
    /// </summary>
    private async Task DownloadAsync(RegistryClient client, string repository, Descriptor blob, string shortId, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        const int attempts = 5;
        await using var writer = blobs.BeginWrite(Digest.Parse(blob.Digest), blob.Size);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var offset = writer.Length;
                await using var stream = await client.OpenBlobAsync(repository, blob.Digest, offset, cancellationToken);
                await using var counted = new CountingStream(stream, n => progress.Report(new TransferProgress(shortId, "Downloading", offset + n, blob.Size)));
                await writer.AppendAsync(counted, cancellationToken);
                await writer.CommitAsync(cancellationToken);
                progress.Report(new TransferProgress(shortId, "Download complete"));
                return;
            }
            catch (IOException e) when (e is not ContentMismatchException && attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                progress.Report(new TransferProgress(shortId, $"Retrying from byte {writer.Length} (attempt {attempt + 1} of {attempts}): {e.Message}"));
                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), cancellationToken);
            }
        }
    }
}
