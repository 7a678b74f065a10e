using System.Data.Common;
using Cluster.Storage.Writing;
using Npgsql;

namespace Cluster.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by the stream queues, grain state and membership of a silo: a pooled
/// <see cref="NpgsqlDataSource"/> for reads and single statements, and (created on first use) one writer connection
/// behind a <see cref="CombiningWriter"/>, which turns the concurrent small writes of many grains and appends into one
/// transaction and one commit. The schema is migrated when the database is opened.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    private readonly Lazy<CombiningWriter> _writer;

    public PostgresDatabase(string connectionString, int maxWritesPerTransaction = 256)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Name = $"{builder.Host}:{builder.Port}/{builder.Database}";
        DataSource = NpgsqlDataSource.Create(builder);
        PostgresMigrator.Migrate(DataSource);
        _writer = new Lazy<CombiningWriter>(() =>
            new CombiningWriter(DataSource.CreateConnection(), Begin, maxWritesPerTransaction, maxQueued: 16 * maxWritesPerTransaction,
                threadName: "postgres-writer"));
    }

    /// <summary>Host, port and database, for logs (never the password).</summary>
    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    public CombiningWriter Writer => _writer.Value;

    public void Dispose()
    {
        if (_writer.IsValueCreated)
        {
            _writer.Value.Dispose();
        }
        DataSource.Dispose();
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
