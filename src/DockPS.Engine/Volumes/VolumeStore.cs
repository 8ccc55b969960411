using System.Globalization;
using System.Text.Json;
using DockPS.Engine.Store;

namespace DockPS.Engine.Volumes;

/// <summary>
/// The volume rows of the metadata database (the <c>volumes</c> table of schema 1): identity in
/// columns, the whole <see cref="VolumeRecord"/> as the JSON configuration. Each call is one
/// transaction.
/// </summary>
public sealed class VolumeStore(MetadataStore store)
{
    /// <summary>The volume named <paramref name="name"/>, or null.</summary>
    public VolumeRecord? Get(string name) =>
        store.Read(db => db.Query("SELECT config FROM volumes WHERE name = ?1", Parse, name)).FirstOrDefault();

    /// <summary>Every volume, ordered by name.</summary>
    public IReadOnlyList<VolumeRecord> All() =>
        store.Read(db => db.Query("SELECT config FROM volumes ORDER BY name", Parse));

    /// <summary>Records a new volume.</summary>
    /// <exception cref="StoreException">A volume of that name is already recorded.</exception>
    public void Add(VolumeRecord volume) => store.Write(db =>
        db.Execute("INSERT INTO volumes (name, driver, created, config) VALUES (?1, ?2, ?3, ?4)",
            volume.Name, volume.Driver, volume.CreatedAt.ToString("O", CultureInfo.InvariantCulture), Serialize(volume)));

    /// <summary>Replaces a volume's configuration (its populated marker, for one).</summary>
    public void Update(VolumeRecord volume) => store.Write(db =>
        db.Execute("UPDATE volumes SET config = ?2 WHERE name = ?1", volume.Name, Serialize(volume)));

    /// <summary>Forgets a volume; true when it was recorded.</summary>
    public bool Delete(string name)
    {
        var removed = 0;
        store.Write(db => removed = db.Execute("DELETE FROM volumes WHERE name = ?1", name));
        return removed > 0;
    }

    private static string Serialize(VolumeRecord volume) => JsonSerializer.Serialize(volume, StoreJsonContext.Default.VolumeRecord);

    private static VolumeRecord Parse(Func<int, object?> column) =>
        JsonSerializer.Deserialize((string)column(0)!, StoreJsonContext.Default.VolumeRecord)
            ?? throw new InvalidDataException("a volume row holds no configuration");
}
