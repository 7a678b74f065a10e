using System.Data.Common;
using Cluster.Storage.Sqlite.Facts;
using Cluster.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Sqlite;

/// <summary>
/// One SQLite file shared by the stream queues and grain state (and later the facts): WAL mode, synchronous=NORMAL
/// (a committed transaction survives a crash of the process; only an OS crash or power loss can drop the last ones),
/// one writer connection behind a <see cref="CombiningWriter"/>, reads on pooled connections that never wait for it.
/// The file is created mode 600 in a directory created mode 700.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;

    public SqliteDatabase(string path, int maxWritesPerTransaction = MaxWritesPerTransaction)
    {
        Path = System.IO.Path.GetFullPath(path);
        CreateFile(Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var writer = new SqliteConnection(_connectionString);
        writer.Open();
        // journal_size_limit: a burst (a long reader holding back a checkpoint, a large import) leaves the WAL at its peak
        // size; this truncates it back when it resets.
        // temp_store=MEMORY: the savepoint sub-journals of combined requests stay in memory (on disk they were a temp file
        // written with every page a request touched). cache_size: the writer's page cache holds a combined transaction's
        // dirty pages, so they are not spilled into the WAL and read back before the commit.
        // wal_autocheckpoint: a page rewritten many times between two checkpoints is copied into the file once (bench/README.md,
        // "The writer's transactions and checkpoints").
        Execute(writer, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit={WalSizeLimit}; " +
            $"PRAGMA temp_store=MEMORY; PRAGMA cache_size=-{WriterCacheKiB}; PRAGMA wal_autocheckpoint={CheckpointPages};");
        Execute(writer, SqliteSchema.Create);
        CheckVersion(writer);
        Writer = new CombiningWriter(writer, static c => ((SqliteConnection)c).BeginTransaction(deferred: false),
            maxWritesPerTransaction, maxQueued: 16 * maxWritesPerTransaction, threadName: "sqlite-writer", preparedSavepoints: true,
            changes: static c => SQLitePCL.raw.sqlite3_total_changes(((SqliteConnection)c).Handle));
    }

    /// <summary>
    /// Writer requests (a grain's state with its decision, a group commit of posts) combined into one transaction at most.
    /// With 10,000 accounts, a transaction of 1,024 touches most state and index leaf pages once for several requests;
    /// at 256 (the earlier value) most pages carried one request each.
    /// </summary>
    public const int MaxWritesPerTransaction = 1024;

    /// <summary>WAL pages (4 KiB) after which a commit checkpoints: 32 MiB, half of <see cref="WalSizeLimit"/>.</summary>
    public const int CheckpointPages = 8192;

    /// <summary>Bytes the WAL file is truncated back to after a checkpoint resets it.</summary>
    public const long WalSizeLimit = 64L << 20;

    /// <summary>The writer connection's page cache, KiB.</summary>
    public const int WriterCacheKiB = 64 << 10;

    public string Path { get; }

    public CombiningWriter Writer { get; }

    /// <summary>
    /// The facts store on this file, once created: grain storage on the same file writes a grain's staged facts with its
    /// state in one writer request. Null while no facts store uses the file (a silo or test with grain storage only).
    /// </summary>
    public SqliteFactsStore? Facts { get; set; }

    /// <summary>A pooled read connection; WAL readers see the last committed state and do not block the writer.</summary>
    public SqliteConnection OpenRead()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    public void Dispose()
    {
        Writer.Dispose();
        SqliteConnection.ClearAllPools();
    }

    internal static SqliteCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        var cmd = ((SqliteConnection)c).CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = (SqliteTransaction?)tx;
        return cmd;
    }

    /// <summary>
    /// The writer connection's prepared command for <paramref name="sql"/> (see <see cref="CombiningWriter.Statement"/>),
    /// its parameters cleared: inside a writer request only, not disposed by the caller.
    /// </summary>
    internal SqliteCommand Statement(DbTransaction tx, string sql)
    {
        var cmd = (SqliteCommand)Writer.Statement(tx, sql);
        cmd.Parameters.Clear();
        return cmd;
    }

    /// <summary>
    /// Like <see cref="Statement"/>, but the parameters are declared once, by <paramref name="declare"/> on first use,
    /// and kept: the caller sets every parameter's value (by position) before each execution.
    /// </summary>
    internal SqliteCommand Statement(DbTransaction tx, string sql, Action<SqliteParameterCollection> declare)
    {
        var cmd = KeptStatement(tx, sql);
        if (cmd.Parameters.Count == 0)
        {
            declare(cmd.Parameters);
        }
        return cmd;
    }

    /// <summary>The writer connection's prepared command for <paramref name="sql"/> with the parameters it kept (none on first use).</summary>
    internal SqliteCommand KeptStatement(DbTransaction tx, string sql) => (SqliteCommand)Writer.Statement(tx, sql);

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = Command(c, null, sql);
        cmd.ExecuteNonQuery();
    }

    private static void CheckVersion(SqliteConnection c)
    {
        using var cmd = Command(c, null, """
            INSERT INTO orleans_storage_schema (component, version) VALUES ('orleans-providers', $v) ON CONFLICT (component) DO NOTHING;
            SELECT version FROM orleans_storage_schema WHERE component = 'orleans-providers';
            """);
        cmd.Parameters.AddWithValue("$v", SqliteSchema.Version);
        var stored = Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (stored > SqliteSchema.Version)
        {
            throw new InvalidOperationException(
                $"The database {c.DataSource} was written by a newer build (provider schema {stored}, this build reads up to {SqliteSchema.Version}).");
        }
    }

    private static void CreateFile(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            if (!File.Exists(path))
            {
                File.Create(path).Dispose();
            }
            return;
        }
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (!File.Exists(path))
        {
            // SQLite gives the -wal and -shm files the main file's mode.
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
    }
}
