using DockPS.Engine.Store;


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
        Assert.Empty(new DockPS.Engine.Volumes.VolumeStore(store).All());
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
        using (var raw = SqliteDb.Open(dir[MetadataStore.FileName]))
        {
            raw.ExecuteScript("""
                INSERT INTO containers VALUES ('a','one','running','t','{}'), ('b','two','exited','t','{}'), ('c','three','paused','t','{}');
                INSERT INTO images (id, created, config) VALUES ('sha256:1','t','{}');
                """);
        }
        using var reopened = MetadataStore.Open(dir.Path);
        var counts = reopened.CountObjects();
        Assert.Equal(new ObjectCounts(1, 3, 1, 1, 0), counts);
        Assert.Equal(1, counts.ContainersStopped);
    }

    [Fact]
    public void TransactionsRollBackWhenWorkFails()
    {
        using var dir = new TempDir();
        using var db = SqliteDb.Open(dir["t.db"]);
        db.ExecuteScript("CREATE TABLE t (k TEXT PRIMARY KEY)");
        Assert.Throws<StoreException>(() => db.InTransaction(() =>
        {
            db.Execute("INSERT INTO t VALUES (?1)", "a");
            db.Execute("INSERT INTO t VALUES (?1)", "a"); // violates the key
        }));
        Assert.Equal(0L, db.Scalar("SELECT count(*) FROM t"));
        db.InTransaction(() => { db.Execute("INSERT INTO t VALUES (?1)", "b"); db.Execute("INSERT INTO t VALUES (?1)", "c"); });
        Assert.Equal(["b", "c"], db.Query("SELECT k FROM t ORDER BY k", c => (string)c(0)!));
    }

    [Fact]
    public void AFileThatIsNotADatabaseIsAClearError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir[MetadataStore.FileName], "this is not a database, but it is long enough to have a header page");
        var e = Assert.ThrowsAny<IOException>(() => MetadataStore.Open(dir.Path));
        Assert.Contains("not a database", e.Message);
    }

    [Fact]
    public void ADatabaseFromANewerDaemonIsRefused()
    {
        using var dir = new TempDir();
        using (var raw = SqliteDb.Open(dir[MetadataStore.FileName]))
        {
            raw.ExecuteScript("PRAGMA user_version = 999");
        }
        var e = Assert.Throws<InvalidDataException>(() => MetadataStore.Open(dir.Path));
        Assert.Contains("newer than this dockpsd understands", e.Message);
    }
}
