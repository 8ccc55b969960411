using SQLitePCL;

namespace DockPS.Engine.Store;

/// <summary>
/// One SQLite database connection, used straight through SQLitePCLRaw. Microsoft.Data.Sqlite's
/// connection-string machinery alone cost 65 ms of every daemon start (measured); the store needs
/// only statements, parameters and transactions, which this gives. Not thread-safe: the store
/// serializes calls.
/// </summary>
public sealed class SqliteDb : IDisposable
{
    private readonly sqlite3 _db;

    static SqliteDb() => Batteries_V2.Init();

    private SqliteDb(sqlite3 db) => _db = db;

    /// <summary>Opens (creating if needed) the database file at <paramref name="path"/>.</summary>
    /// <exception cref="StoreException">SQLite could not open it.</exception>
    public static SqliteDb Open(string path)
    {
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_FULLMUTEX, null);
        if (rc != raw.SQLITE_OK)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new StoreException($"cannot open database {path}: {message}");
        }
        raw.sqlite3_busy_timeout(db, 5000);
        return new SqliteDb(db);
    }

    /// <summary>Runs one or more statements that take no parameters.</summary>
    public void ExecuteScript(string sql) => Check(raw.sqlite3_exec(_db, sql), sql);

    /// <summary>Runs a statement with positional parameters (?1, ?2, …); returns rows changed.</summary>
    public int Execute(string sql, params object?[] args)
    {
        using var statement = Prepare(sql, args);
        Step(statement, sql);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>The first column of the first row, or null when there is no row.</summary>
    public object? Scalar(string sql, params object?[] args)
    {
        using var statement = Prepare(sql, args);
        return Step(statement, sql) ? Column(statement, 0) : null;
    }

    /// <summary>Every row, each read by <paramref name="read"/> (column index → value).</summary>
    public List<T> Query<T>(string sql, Func<Func<int, object?>, T> read, params object?[] args)
    {
        using var statement = Prepare(sql, args);
        var rows = new List<T>();
        while (Step(statement, sql)) { rows.Add(read(i => Column(statement, i))); }
        return rows;
    }

    /// <summary>Runs <paramref name="work"/> in a transaction: all of it lands, or none of it.</summary>
    public void InTransaction(Action work)
    {
        ExecuteScript("BEGIN IMMEDIATE");
        try
        {
            work();
            ExecuteScript("COMMIT");
        }
        catch
        {
            raw.sqlite3_exec(_db, "ROLLBACK");
            throw;
        }
    }

    private sqlite3_stmt Prepare(string sql, object?[] args)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement), sql);
        for (var i = 0; i < args.Length; i++)
        {
            var rc = args[i] switch
            {
                null => raw.sqlite3_bind_null(statement, i + 1),
                string s => raw.sqlite3_bind_text(statement, i + 1, s),
                long l => raw.sqlite3_bind_int64(statement, i + 1, l),
                int n => raw.sqlite3_bind_int64(statement, i + 1, n),
                bool b => raw.sqlite3_bind_int64(statement, i + 1, b ? 1 : 0),
                byte[] bytes => raw.sqlite3_bind_blob(statement, i + 1, bytes),
                double d => raw.sqlite3_bind_double(statement, i + 1, d),
                var other => throw new ArgumentException($"cannot bind a {other.GetType().Name} to a SQLite parameter"),
            };
            if (rc != raw.SQLITE_OK) { statement.Dispose(); Check(rc, sql); }
        }
        return statement;
    }

    private bool Step(sqlite3_stmt statement, string sql)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW) { return true; }
        if (rc == raw.SQLITE_DONE) { return false; }
        Check(rc, sql);
        return false;
    }

    private static object? Column(sqlite3_stmt statement, int i) => raw.sqlite3_column_type(statement, i) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(statement, i),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(statement, i),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(statement, i).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(statement, i).ToArray(),
        _ => null,
    };

    private void Check(int rc, string sql)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE) { return; }
        throw new StoreException($"database error {rc} ({raw.sqlite3_errmsg(_db).utf8_to_string()}) in: {sql.Split('\n')[0].Trim()}");
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _db.Dispose();
}

/// <summary>The metadata database failed; the message carries SQLite's reason.</summary>
public sealed class StoreException(string message) : IOException(message);
