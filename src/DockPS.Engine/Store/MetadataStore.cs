namespace DockPS.Engine.Store;

/// <summary>
/// The daemon's metadata in one SQLite database: transactional and crash-safe (WAL), as Podman
/// moved to for the same reasons. Rows hold identity and state; object configurations are JSON
/// documents, so a new field needs no migration. Schema changes are numbered migrations keyed on
/// <c>PRAGMA user_version</c>.
/// </summary>
public sealed class MetadataStore : IDisposable
{
    /// <summary>The database file's name inside the data root.</summary>
    public const string FileName = "dockps.db";

    // Append only: a released schema step is never edited, the next one is added.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE images (id TEXT PRIMARY KEY, created TEXT NOT NULL, config TEXT NOT NULL);
        CREATE TABLE containers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
                                 created TEXT NOT NULL, config TEXT NOT NULL);
        CREATE TABLE volumes (name TEXT PRIMARY KEY, driver TEXT NOT NULL, created TEXT NOT NULL,
                              config TEXT NOT NULL);
        """,
        // Images: unpacked layers by chain ID, the layers of each image in order, and names.
        // images.config holds the image's OCI configuration verbatim, so listings need no blob reads.
        """
        ALTER TABLE images ADD COLUMN manifest_digest TEXT;
        ALTER TABLE images ADD COLUMN manifest_media_type TEXT;
        ALTER TABLE images ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE layers (chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL, parent TEXT,
                             size INTEGER NOT NULL, created TEXT NOT NULL);
        CREATE TABLE image_layers (image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
                                   position INTEGER NOT NULL, chain_id TEXT NOT NULL REFERENCES layers(chain_id),
                                   PRIMARY KEY (image_id, position));
        CREATE INDEX image_layers_chain ON image_layers(chain_id);
        CREATE TABLE image_names (name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
                                  kind TEXT NOT NULL CHECK (kind IN ('tag', 'digest')), created TEXT NOT NULL);
        CREATE INDEX image_names_image ON image_names(image_id);
        CREATE TABLE layer_blobs (diff_id TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL,
                                  size INTEGER NOT NULL, PRIMARY KEY (diff_id, digest));
        """,
    ];

    private readonly SqliteDb _db;
    private readonly Lock _gate = new();

    private MetadataStore(SqliteDb db) => _db = db;

    /// <summary>Opens (creating and migrating as needed) the database in <paramref name="dataRoot"/>.</summary>
    public static MetadataStore Open(string dataRoot)
    {
        var store = new MetadataStore(SqliteDb.Open(Path.Combine(dataRoot, FileName)));
        try
        {
            store._db.ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
            store.Migrate();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>The schema version the database is at.</summary>
    public int SchemaVersion => Convert.ToInt32(Scalar("PRAGMA user_version"));

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestSchemaVersion => Migrations.Length;

    private void Migrate()
    {
        var current = SchemaVersion;
        if (current > Migrations.Length)
        {
            throw new InvalidDataException(
                $"metadata database schema {current} is newer than this dockpsd understands ({Migrations.Length}); " +
                "run a newer dockpsd on this data root");
        }
        for (var step = current; step < Migrations.Length; step++)
        {
            lock (_gate)
            {
                _db.InTransaction(() => _db.ExecuteScript(Migrations[step] + $"\nPRAGMA user_version = {step + 1};"));
            }
        }
    }

    /// <summary>Runs a read under the store's lock.</summary>
    public T Read<T>(Func<SqliteDb, T> read)
    {
        lock (_gate) { return read(_db); }
    }

    /// <summary>Runs <paramref name="write"/> as one transaction under the store's lock: all of it lands, or none.</summary>
    /// <param name="write">The statements.</param>
    /// <param name="durable">
    /// False commits without waiting for the disk (WAL with synchronous=NORMAL): the transaction
    /// survives a crash of the process and is forced out by the next durable commit or checkpoint,
    /// but a power loss may take it back. Commits stay in order either way.
    /// </param>
    public void Write(Action<SqliteDb> write, bool durable = true)
    {
        lock (_gate)
        {
            if (durable) { _db.InTransaction(() => write(_db)); return; }
            _db.ExecuteScript("PRAGMA synchronous=NORMAL;");
            try { _db.InTransaction(() => write(_db)); }
            finally { _db.ExecuteScript("PRAGMA synchronous=FULL;"); }
        }
    }

    /// <summary>Reads a value from the key/value meta table.</summary>
    public string? GetMeta(string key) => Scalar("SELECT value FROM meta WHERE key = ?1", key) as string;

    /// <summary>Returns the stored value for <paramref name="key"/>, storing <paramref name="create"/>'s result first if absent.</summary>
    public string GetOrAddMeta(string key, Func<string> create)
    {
        lock (_gate)
        {
            if (GetMeta(key) is { } existing) { return existing; }
            var value = create();
            _db.Execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", key, value);
            return value;
        }
    }

    /// <summary>Counts of the objects the engine holds.</summary>
    public ObjectCounts CountObjects()
    {
        long Count(string sql) => Convert.ToInt64(Scalar(sql));
        return new ObjectCounts(
            Images: Count("SELECT count(*) FROM images"),
            Containers: Count("SELECT count(*) FROM containers"),
            ContainersRunning: Count("SELECT count(*) FROM containers WHERE state = 'running'"),
            ContainersPaused: Count("SELECT count(*) FROM containers WHERE state = 'paused'"),
            Volumes: Count("SELECT count(*) FROM volumes"));
    }

    private object? Scalar(string sql, params object?[] args)
    {
        lock (_gate) { return _db.Scalar(sql, args); }
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}

/// <summary>How many images, containers and volumes the engine holds.</summary>
public sealed record ObjectCounts(long Images, long Containers, long ContainersRunning, long ContainersPaused, long Volumes)
{
    /// <summary>Containers neither running nor paused.</summary>
    public long ContainersStopped => Containers - ContainersRunning - ContainersPaused;
}
