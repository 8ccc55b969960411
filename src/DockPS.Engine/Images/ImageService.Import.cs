using DockPS.Engine.Events;
using DockPS.Engine.Layers;
using DockPS.Registry.Client;

namespace DockPS.Engine.Images;

/// <summary>What <c>docker import</c> takes besides the tarball.</summary>
/// <param name="Reference">The name to give the image, or null for an untagged one.</param>
/// <param name="Changes">Dockerfile instructions applied to the configuration (CMD, ENV, …).</param>
/// <param name="Message">The history comment.</param>
/// <param name="Architecture">The image's architecture (Go's names: amd64, arm64).</param>
public sealed record ImportOptions(string? Reference, IReadOnlyList<string> Changes, string? Message, string Architecture);

public sealed partial class ImageService
{
    /// <summary>
    /// Makes a one-layer image from a root filesystem tarball (plain, gzip or zstd), as
    /// <c>docker import</c> does: the tarball is stored as the layer blob, unpacked into a
    /// snapshot, and given a configuration built from <see cref="ImportOptions.Changes"/>.
    /// </summary>
    /// <exception cref="LayerException">The tarball is hostile or corrupt; nothing is kept.</exception>
    /// <exception cref="ArgumentException">A change is not a valid instruction.</exception>
    public async Task<ImageRecord> ImportAsync(Stream tarball, ImportOptions options, CancellationToken cancellationToken)
    {
        // Validate everything cheap before reading a possibly large body.
        var reference = options.Reference is { Length: > 0 } r ? ImageReference.Parse(r) : null;
        if (reference?.Digest is not null) { throw new InvalidImageReferenceException(options.Reference!, "an imported image cannot be named by digest"); }
        var defaults = ConfigChanges.Apply(new ContainerDefaults(), options.Changes);

        var (blob, blobSize) = await blobs.WriteAsync(tarball, null, null, cancellationToken);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            LayerRecord layer;
            string mediaType;
            await using (var stored = blobs.OpenRead(blob))
            {
                mediaType = LayerMediaType(stored);
                stored.Position = 0;
                (_, layer) = await snapshots.CreateAsync(parent: null, stored, expectedDiffId: null, cancellationToken);
            }
            var now = DateTimeOffset.UtcNow;
            var config = new ImageConfig
            {
                Created = now,
                Architecture = options.Architecture,
                Os = "linux",
                Config = defaults,
                RootFs = new RootFs { DiffIds = [layer.DiffId.ToString()] },
                History = [new HistoryEntry { Created = now, CreatedBy = "", Comment = options.Message ?? "Imported from -" }],
            };
            var configBytes = config.ToBytes();
            var (id, _) = await blobs.WriteAsync(configBytes, cancellationToken);
            store.AddLayerBlob(layer.DiffId, blob, mediaType, blobSize);
            var image = new ImageRecord { Id = id, Config = config, ConfigBytes = configBytes, Layers = [layer], Size = layer.Size, Stored = now };
            var names = reference is null ? [] : new[] { (LocalName(reference), "tag") };
            store.Add(image, names);
            events.Publish(EventTypes.Image, "import", id.ToString(), new Dictionary<string, string> { ["name"] = id.ToString() });
            foreach (var (name, _) in names)
            {
                events.Publish(EventTypes.Image, "tag", id.ToString(), new Dictionary<string, string> { ["name"] = name });
            }
            return store.Get(id)!;
        }
        catch
        {
            // The blob is kept only when a record points at it.
            if (!store.IsReferenced(blob)) { blobs.Delete(blob); }
            throw;
        }
        finally { _writer.Release(); }
    }

    /// <summary>The OCI layer media type for a stored layer blob, from its compression.</summary>
    private static string LayerMediaType(Stream blob) => Layers.LayerCompression.Detect(blob) switch
    {
        CompressionKind.Gzip => MediaTypes.OciLayerGzip,
        CompressionKind.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayer,
    };
}
