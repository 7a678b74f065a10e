using Cluster.Storage.Postgres;
using Cluster.Storage.Tests.Support;
using Npgsql;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresWriterTests(PostgresServer server) : IDisposable
{
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => server.DropDatabase(_connectionString);

    [Fact]
    public async Task A_writer_whose_connection_was_terminated_fails_that_batch_and_reconnects_for_the_next()
    {
        using var db = new PostgresDatabase(_connectionString);
        var writer = StandaloneServices.QueueWriter(db, queues: 4);
        var stream = StreamId.Create(TestCluster.Namespace, "p/a1");
        var backend = await db.Writer.WriteAsync((c, _) => ((NpgsqlConnection)c).ProcessID);

        await using (var admin = new NpgsqlConnection(_connectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            kill.Parameters.AddWithValue("pid", backend);
            Assert.True((bool)(await kill.ExecuteScalarAsync())!);
            // pg_terminate_backend only signals; wait until the backend is gone so the next append meets a dead connection.
            await using var gone = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid", admin);
            gone.Parameters.AddWithValue("pid", backend);
            await TestCluster.Until(() => (long)gone.ExecuteScalar()! == 0, TimeSpan.FromSeconds(30), () => $"backend {backend} still running");
        }

        await Assert.ThrowsAnyAsync<Exception>(() => writer.AppendAsync([(stream, [new TestEvent(1)])]));
        var appended = Assert.Single(await writer.AppendAsync([(stream, [new TestEvent(2)])]));

        Assert.Equal(1, appended.FirstSeq); // the failed batch stored nothing
        Assert.NotEqual(backend, await db.Writer.WriteAsync((c, _) => ((NpgsqlConnection)c).ProcessID));
    }

    [Fact]
    public async Task A_session_idle_in_its_transaction_past_the_bound_is_ended_by_the_server_and_its_locks_freed()
    {
        using var db = new PostgresDatabase(_connectionString);
        Assert.Equal("5s", await db.Writer.WriteAsync((c, tx) => (string)PostgresDatabase.Command(c, tx, "SHOW idle_in_transaction_session_timeout").ExecuteScalar()!));

        // A client stalled inside a transaction (the server waits for its next statement) holding a row lock.
        await using var stalled = await db.DataSource.OpenConnectionAsync();
        await using var tx = await stalled.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("INSERT INTO queue_seq (provider, queue, last) VALUES ('p', 0, 1)", stalled, tx))
        {
            await lockRow.ExecuteNonQueryAsync();
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var other = new NpgsqlConnection(_connectionString);
        await other.OpenAsync();
        await using var wait = new NpgsqlCommand("INSERT INTO queue_seq (provider, queue, last) VALUES ('p', 0, 1) ON CONFLICT (provider, queue) DO UPDATE SET last = queue_seq.last + 1", other);
        await wait.ExecuteNonQueryAsync(); // waits for the stalled transaction, which the server ends

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<Exception>(() => tx.CommitAsync());
    }

    [Fact]
    public async Task A_connection_string_naming_its_own_idle_in_transaction_bound_keeps_it()
    {
        var own = new NpgsqlConnectionStringBuilder(_connectionString) { Options = "-c idle_in_transaction_session_timeout=60000" }.ConnectionString;
        using var db = new PostgresDatabase(own);

        Assert.Equal("1min", await db.Writer.WriteAsync((c, tx) => (string)PostgresDatabase.Command(c, tx, "SHOW idle_in_transaction_session_timeout").ExecuteScalar()!));
    }
}
