using DockPS.Engine.Store;

namespace DockPS.Engine.Images;

/// <summary>
/// The images, layers and names in the metadata database. Every mutation is one transaction, so
/// an image appears with all its layers and names or not at all.
/// </summary>
public sealed class ImageStore(MetadataStore store)
{
    /// <summary>Records an image and the layers it uses, and points <paramref name="names"/> at it.</summary>
    public void Add(ImageRecord image, IEnumerable<(string Name, string Kind)> names) => store.Write(db =>
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        foreach (var layer in image.Layers)
        {
            db.Execute("INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                layer.ChainId.ToString(), layer.DiffId.ToString(), layer.Parent?.ToString(), layer.Size, now);
        }
        db.Execute("""
            INSERT INTO images (id, created, config, manifest_digest, manifest_media_type, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (id) DO UPDATE SET manifest_digest = coalesce(excluded.manifest_digest, manifest_digest),
                                           manifest_media_type = coalesce(excluded.manifest_media_type, manifest_media_type)
            """,
            image.Id.ToString(), now, System.Text.Encoding.UTF8.GetString(image.ConfigBytes),
            image.ManifestDigest?.ToString(), image.ManifestMediaType, image.Size);
        db.Execute("DELETE FROM image_layers WHERE image_id = ?1", image.Id.ToString());
        for (var i = 0; i < image.Layers.Count; i++)
        {
            db.Execute("INSERT INTO image_layers (image_id, position, chain_id) VALUES (?1, ?2, ?3)", image.Id.ToString(), i, image.Layers[i].ChainId.ToString());
        }
        foreach (var (name, kind) in names) { SetName(db, name, kind, image.Id, now); }
    });

    /// <summary>Records that <paramref name="blob"/> (in the content store) is a packed form of the layer <paramref name="diffId"/>.</summary>
    public void AddLayerBlob(Digest diffId, Digest blob, string mediaType, long size) => store.Write(db =>
        db.Execute("INSERT OR IGNORE INTO layer_blobs (diff_id, digest, media_type, size) VALUES (?1, ?2, ?3, ?4)",
            diffId.ToString(), blob.ToString(), mediaType, size));

    /// <summary>The packed forms the store holds of a layer.</summary>
    public IReadOnlyList<LayerBlob> LayerBlobs(Digest diffId) => store.Read(db => db.Query(
        "SELECT digest, media_type, size FROM layer_blobs WHERE diff_id = ?1 ORDER BY media_type",
        c => new LayerBlob(Digest.Parse((string)c(0)!), (string)c(1)!, (long)c(2)!), diffId.ToString()));

    /// <summary>Whether an image or layer record points at <paramref name="blob"/> (as layer, configuration or manifest).</summary>
    public bool IsReferenced(Digest blob) => store.Read(db => (long)db.Scalar(
        "SELECT (SELECT count(*) FROM layer_blobs WHERE digest = ?1) + (SELECT count(*) FROM images WHERE id = ?1 OR manifest_digest = ?1)",
        blob.ToString())!) > 0;

    /// <summary>Forgets the packed forms of a layer no snapshot uses any more; returns them for deletion.</summary>
    public IReadOnlyList<Digest> ForgetLayerBlobs(Digest diffId)
    {
        IReadOnlyList<Digest> blobs = [];
        store.Write(db =>
        {
            if ((long)db.Scalar("SELECT count(*) FROM layers WHERE diff_id = ?1", diffId.ToString())! > 0) { return; }
            blobs = db.Query("SELECT digest FROM layer_blobs WHERE diff_id = ?1", c => Digest.Parse((string)c(0)!), diffId.ToString());
            db.Execute("DELETE FROM layer_blobs WHERE diff_id = ?1", diffId.ToString());
        });
        return blobs;
    }

    /// <summary>Points <paramref name="name"/> at an image, taking it from any image that had it.</summary>
    public void SetName(string name, string kind, Digest imageId) =>
        store.Write(db => SetName(db, name, kind, imageId, DateTimeOffset.UtcNow.ToString("O")));

    private static void SetName(SqliteDb db, string name, string kind, Digest imageId, string now) =>
        db.Execute("INSERT INTO image_names (name, image_id, kind, created) VALUES (?1, ?2, ?3, ?4) " +
                   "ON CONFLICT (name) DO UPDATE SET image_id = excluded.image_id, kind = excluded.kind, created = excluded.created",
            name, imageId.ToString(), kind, now);

    /// <summary>Removes a name; true when it existed.</summary>
    public bool RemoveName(string name)
    {
        var removed = 0;
        store.Write(db => removed = db.Execute("DELETE FROM image_names WHERE name = ?1", name));
        return removed > 0;
    }

    /// <summary>The image a full name points at, if any.</summary>
    public Digest? FindByName(string name) =>
        store.Read(db => db.Scalar("SELECT image_id FROM image_names WHERE name = ?1", name)) is string id ? Digest.Parse(id) : null;

    /// <summary>Image IDs starting with <paramref name="hexPrefix"/> (for short IDs).</summary>
    public IReadOnlyList<Digest> FindByIdPrefix(string hexPrefix) =>
        store.Read(db => db.Query("SELECT id FROM images WHERE id >= ?1 AND id < ?2 LIMIT 2",
            c => Digest.Parse((string)c(0)!), "sha256:" + hexPrefix, "sha256:" + hexPrefix + "\uffff"));

    /// <summary>One image by ID, or null.</summary>
    public ImageRecord? Get(Digest id) => store.Read(db => Load(db, "WHERE i.id = ?1", id.ToString()).FirstOrDefault());

    /// <summary>Every image.</summary>
    public IReadOnlyList<ImageRecord> All() => store.Read(db => Load(db, "", null));

    /// <summary>
    /// Deletes an image record and its names; returns the chain IDs no image uses any more,
    /// whose snapshots the caller removes (top first).
    /// </summary>
    public IReadOnlyList<Digest> Delete(Digest id)
    {
        IReadOnlyList<Digest> orphans = [];
        store.Write(db =>
        {
            var chains = db.Query("SELECT chain_id FROM image_layers WHERE image_id = ?1 ORDER BY position DESC", c => (string)c(0)!, id.ToString());
            db.Execute("DELETE FROM images WHERE id = ?1", id.ToString());
            var unused = chains.Where(chain => (long)db.Scalar("SELECT count(*) FROM image_layers WHERE chain_id = ?1", chain)! == 0).ToList();
            foreach (var chain in unused) { db.Execute("DELETE FROM layers WHERE chain_id = ?1", chain); }
            orphans = unused.Select(Digest.Parse).ToList();
        });
        return orphans;
    }

    /// <summary>Whether a snapshot is recorded (complete) for <paramref name="chainId"/>.</summary>
    public LayerRecord? GetLayer(Digest chainId) => store.Read(db => db.Query(
        "SELECT chain_id, diff_id, parent, size FROM layers WHERE chain_id = ?1", ReadLayer, chainId.ToString()).FirstOrDefault());

    private static LayerRecord ReadLayer(Func<int, object?> c) =>
        new(Digest.Parse((string)c(0)!), Digest.Parse((string)c(1)!), c(2) is string p ? Digest.Parse(p) : null, (long)c(3)!);

    private static List<ImageRecord> Load(SqliteDb db, string where, string? arg)
    {
        object?[] args = arg is null ? [] : [arg];
        var images = db.Query($"SELECT i.id, i.created, i.config, i.manifest_digest, i.manifest_media_type, i.size FROM images i {where} ORDER BY i.created DESC, i.id",
            c => (Id: (string)c(0)!, Stored: (string)c(1)!, Config: (string)c(2)!, Manifest: c(3) as string, MediaType: c(4) as string, Size: (long)c(5)!), args);
        var names = db.Query($"SELECT n.image_id, n.name, n.kind FROM image_names n JOIN images i ON i.id = n.image_id {where} ORDER BY n.name",
            c => (Id: (string)c(0)!, Name: (string)c(1)!, Kind: (string)c(2)!), args).ToLookup(n => n.Id);
        var layers = db.Query($"SELECT il.image_id, l.chain_id, l.diff_id, l.parent, l.size FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id JOIN images i ON i.id = il.image_id {where} ORDER BY il.image_id, il.position",
            c => (Id: (string)c(0)!, Layer: ReadLayer(i => c(i + 1))), args).ToLookup(l => l.Id, l => l.Layer);
        return images.Select(i =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(i.Config);
            return new ImageRecord
            {
                Id = Digest.Parse(i.Id),
                Config = ImageConfig.Parse(bytes),
                ConfigBytes = bytes,
                RepoTags = names[i.Id].Where(n => n.Kind == "tag").Select(n => n.Name).ToList(),
                RepoDigests = names[i.Id].Where(n => n.Kind == "digest").Select(n => n.Name).ToList(),
                Layers = layers[i.Id].ToList(),
                Size = i.Size,
                Stored = DateTimeOffset.Parse(i.Stored, System.Globalization.CultureInfo.InvariantCulture),
                ManifestDigest = i.Manifest is null ? null : Digest.Parse(i.Manifest),
                ManifestMediaType = i.MediaType,
            };
        }).ToList();
    }
}
