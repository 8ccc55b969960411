using DockPS.Engine.Store;
using Microsoft.Data.Sqlite;

namespace DockPS.Engine.Tests.Store;

public class MetadataStoreTests
{
    [Fact]
    public void ANewDatabaseIsMigratedToTheLatestSchema()
    {
        using var dir = new TempDir();
        using var store = MetadataStore.Open(dir.Path);
        Assert.Equal(MetadataStore.LatestSchemaVersion, store.SchemaVersion);
        Assert.Equal(new ObjectCounts(0, 0, 0, 0, 0), store.CountObjects());
        Assert.Empty(store.ListVolumes());
    }

    [Fact]
    public void MetaValuesPersistAcrossOpens()
    {
        using var dir = new TempDir();
        string id;
        using (var store = MetadataStore.Open(dir.Path)) { id = store.GetOrAddMeta("engine-id", () => "first"); }
        using (var store = MetadataStore.Open(dir.Path)) { Assert.Equal(id, store.GetOrAddMeta("engine-id", () => "second")); }
        Assert.Equal("first", id);
    }

    [Fact]
    public void CountsReadTheTables()
    {
        using var dir = new TempDir();
        using (var store = MetadataStore.Open(dir.Path)) { }
        using (var raw = new SqliteConnection($"Data Source={dir[MetadataStore.FileName]};Pooling=false"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = """
                INSERT INTO containers VALUES ('a','one','running','t','{}'), ('b','two','exited','t','{}'), ('c','three','paused','t','{}');
                INSERT INTO images VALUES ('sha256:1','t','{}');
                """;
            cmd.ExecuteNonQuery();
        }
        using var reopened = MetadataStore.Open(dir.Path);
        var counts = reopened.CountObjects();
        Assert.Equal(new ObjectCounts(1, 3, 1, 1, 0), counts);
        Assert.Equal(1, counts.ContainersStopped);
    }

    [Fact]
    public void ADatabaseFromANewerDaemonIsRefused()
    {
        using var dir = new TempDir();
        using (var raw = new SqliteConnection($"Data Source={dir[MetadataStore.FileName]};Pooling=false"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 999";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<InvalidDataException>(() => MetadataStore.Open(dir.Path));
        Assert.Contains("newer than this dockpsd understands", e.Message);
    }
}
