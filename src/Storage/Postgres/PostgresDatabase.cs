using System.Data.Common;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Streams;
using Cluster.Storage.Writing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cluster.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by the stream queues, grain state, membership and facts of a silo: a pooled
/// <see cref="NpgsqlDataSource"/> for reads and single statements, and (each created on first use) two writer
/// connections behind <see cref="CombiningWriter"/>s, which turn the concurrent small writes of many grains and appends
/// into one transaction and one commit per connection. <see cref="Writer"/> appends: stream rows, and the post rows a
/// group commit writes with them. <see cref="StateWriter"/> writes grain state and the facts written with it (decisions
/// and review items, <see cref="PostgresStateWrites"/>). Two, not one, because a transaction of each kind locks shared
/// counter rows (queue_seq; feed_seq), each kind in ascending order: one transaction holding both kinds, in whatever
/// order its requests arrived, could deadlock with another silo's. The schema is migrated when the database is opened.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    private readonly Lazy<CombiningWriter> _writer;
    private readonly Lazy<CombiningWriter> _stateWriter;
    private readonly Lazy<PostgresStateWrites> _stateWrites;
    private PostgresQueueListener? _queueListener;

    /// <summary>
    /// How long a session of this silo may sit idle inside a transaction before the server ends it (PostgreSQL's
    /// idle_in_transaction_session_timeout). A writer transaction holds row locks every silo needs (feed_seq per
    /// platform, queue_seq per queue, grain state rows, the membership version row) across its round trips; a silo that
    /// stops between two of them (SIGSTOP, a long GC pause, a network partition without a reset) would otherwise hold
    /// them until it resumes or TCP gives up, hours later, and every other silo's decisions would wait (measured: none in
    /// 30 s while one silo was stopped). The writers' own gaps between statements are milliseconds; 5 s leaves room for
    /// a starved machine. The stalled silo's transaction is rolled back: nothing of it was acknowledged.
    /// </summary>
    internal static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromSeconds(5);

    public PostgresDatabase(string connectionString, int maxWritesPerTransaction = 256)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // First, so that a value the connection string's own Options set wins (the server takes the last -c).
        builder.Options = $"-c idle_in_transaction_session_timeout={(long)IdleInTransactionTimeout.TotalMilliseconds} {builder.Options}".TrimEnd();
        Name = $"{builder.Host}:{builder.Port}/{builder.Database}";
        QueueConnections = new SemaphoreSlim(QueueConnectionsOf(builder.MaxPoolSize));
        DataSource = NpgsqlDataSource.Create(builder);
        PostgresMigrator.Migrate(DataSource);
        _writer = new Lazy<CombiningWriter>(() =>
            new CombiningWriter(DataSource.CreateConnection(), Begin, maxWritesPerTransaction, maxQueued: 16 * maxWritesPerTransaction,
                threadName: "postgres-writer"));
        _stateWriter = new Lazy<CombiningWriter>(() =>
            new CombiningWriter(DataSource.CreateConnection(), Begin, maxWritesPerTransaction, maxQueued: 16 * maxWritesPerTransaction,
                threadName: "postgres-state-writer"));
        _stateWrites = new Lazy<PostgresStateWrites>(() => new PostgresStateWrites(this));
    }

    /// <summary>Host, port and database, for logs (never the password).</summary>
    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The appending writer: stream rows and the post rows committed with them.</summary>
    public CombiningWriter Writer => _writer.Value;

    /// <summary>The writer of grain state and of the facts a grain writes with its state.</summary>
    public CombiningWriter StateWriter => _stateWriter.Value;

    /// <summary>Groups the grain-state writes (and facts) of every grain storage on this database into StateWriter requests.</summary>
    public PostgresStateWrites StateWrites => _stateWrites.Value;

    /// <summary>
    /// The facts store on this database, once created: grain storage on the same database writes a grain's staged
    /// facts with its state in one transaction. Null while no facts store uses it (a silo or test with providers only).
    /// </summary>
    public PostgresFactsStore? Facts { get; set; }

    /// <summary>The stream queues' wake-ups of one provider, fed by this silo's one <see cref="PostgresQueueListener"/> on this database.</summary>
    public QueueWakeups QueueWakeups(string provider, int queues, TimeSpan fallback, TimeProvider time, ILogger logger)
    {
        lock (_writer)
        {
            _queueListener ??= new PostgresQueueListener(this, time, logger);
        }
        return _queueListener.For(provider, queues, fallback);
    }

    /// <summary>
    /// Bounds the pooled connections the stream receivers of this silo hold at once (reads, acknowledgements, expiry):
    /// a quarter of the pool, 2 to 32. A silo holding all 128 queues polls them concurrently; unbounded, a slow moment of
    /// the server (a checkpoint, a lock) had them take the whole pool, and the grain-state reads of activations, the
    /// feed, review claims and the readiness probe then waited for a connection, or timed out. Receivers wait here, in
    /// memory, instead.
    /// </summary>
    public SemaphoreSlim QueueConnections { get; }

    internal static int QueueConnectionsOf(int maxPoolSize) => Math.Clamp(maxPoolSize / 4, 2, 32);

    /// <summary>
    /// One round trip (<c>SELECT 1</c>) on a pooled connection, cancelled after <paramref name="timeout"/>: whether the
    /// server answers now. Throws what Npgsql throws when it does not.
    /// </summary>
    public async Task PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        await using var c = await DataSource.OpenConnectionAsync(bound.Token);
        await using var cmd = Command(c, null, "SELECT 1");
        await cmd.ExecuteScalarAsync(bound.Token);
    }

    public void Dispose()
    {
        _queueListener?.Dispose();
        if (_writer.IsValueCreated)
        {
            _writer.Value.Dispose();
        }
        if (_stateWriter.IsValueCreated)
        {
            _stateWriter.Value.Dispose();
        }
        DataSource.Dispose(); // not QueueConnections: a receiver still finishing releases its slot after this
    }

    internal static NpgsqlCommand Command(DbConnection c, DbTransaction? tx, string sql) =>
        new(sql, (NpgsqlConnection)c, (NpgsqlTransaction?)tx);

    /// <summary>
    /// Begins the writer's transaction, reopening the connection first if it was never opened or broke (a restarted
    /// server, a failover): the batch that saw the break failed as a whole, the next one gets a fresh connection.
    /// </summary>
    private static NpgsqlTransaction Begin(DbConnection connection)
    {
        var c = (NpgsqlConnection)connection;
        if (c.FullState != System.Data.ConnectionState.Open)
        {
            c.Close();
            c.Open();
        }
        return c.BeginTransaction();
    }
}
