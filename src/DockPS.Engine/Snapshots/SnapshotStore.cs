using DockPS.Engine.Images;
using DockPS.Engine.Layers;

namespace DockPS.Engine.Snapshots;

/// <summary>
/// Unpacked layers, one directory per chain ID under <c>&lt;data-root&gt;/snapshots</c>, shared by
/// every image that has the layer and stacked by overlayfs under containers. A snapshot is
/// unpacked into a temp directory and renamed into place only when complete, so a crash never
/// leaves a half-unpacked snapshot under its real name.
/// </summary>
public sealed class SnapshotStore(string root, string tempDirectory)
{
    /// <summary>The directory of a snapshot (whether or not it exists).</summary>
    public string PathOf(Digest chainId) => Path.Combine(root, chainId.Hex);

    /// <summary>Whether the snapshot is present.</summary>
    public bool Exists(Digest chainId) => Directory.Exists(PathOf(chainId));

    /// <summary>
    /// Unpacks <paramref name="layer"/> (any compression) as the snapshot on top of
    /// <paramref name="parent"/>. When <paramref name="expectedDiffId"/> is given the
    /// uncompressed content must hash to it. A snapshot that already exists is kept.
    /// </summary>
    /// <returns>What was unpacked, and the layer record (chain ID) it became.</returns>
    /// <exception cref="LayerException">Hostile or corrupt layer content.</exception>
    /// <exception cref="ContentMismatchException">The content is not the layer the image names.</exception>
    public Task<(UnpackResult Unpacked, LayerRecord Layer)> CreateAsync(Digest? parent, Stream layer, Digest? expectedDiffId, CancellationToken cancellationToken) =>
        CreateAsync(parent, layer, expectedDiffId, verifiedBlob: null, cancellationToken);

    /// <summary>
    /// As <see cref="CreateAsync(Digest?, Stream, Digest?, CancellationToken)"/>, for a blob the
    /// caller verifies against <paramref name="verifiedBlob"/> before the unpack can end (a
    /// download that is hashed as it is stored), so the unpack need not hash it again.
    /// </summary>
    public async Task<(UnpackResult Unpacked, LayerRecord Layer)> CreateAsync(Digest? parent, Stream layer, Digest? expectedDiffId, Digest? verifiedBlob, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(tempDirectory, "snapshot-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(temp);
        try
        {
            var unpacked = await LayerUnpacker.UnpackAsync(layer, temp, verifiedBlob?.ToString(), cancellationToken);
            var diffId = Digest.Parse(unpacked.DiffId);
            if (expectedDiffId is { } want && want != diffId)
            {
                throw new ContentMismatchException($"layer content has diff ID {diffId}, but the image configuration expects {want}");
            }
            var record = new LayerRecord(LayerRecord.ChainOf(parent, diffId), diffId, parent, unpacked.Size);
            var target = PathOf(record.ChainId);
            if (!Directory.Exists(target))
            {
                Directory.CreateDirectory(root);
                Directory.Move(temp, target);
            }
            return (unpacked, record);
        }
        finally
        {
            if (Directory.Exists(temp)) { Directory.Delete(temp, recursive: true); }
        }
    }

    /// <summary>Removes a snapshot; absent ones are fine.</summary>
    public void Remove(Digest chainId)
    {
        var path = PathOf(chainId);
        if (!Directory.Exists(path)) { return; }
        // Rename first so a crash mid-delete leaves trash in tmp (cleared at start), not a broken snapshot.
        var trash = Path.Combine(tempDirectory, "removed-" + chainId.Hex);
        Directory.Move(path, trash);
        Directory.Delete(trash, recursive: true);
    }
}
