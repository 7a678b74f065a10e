using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// Stream receivers share a silo's connection pool with everything else it reads, so they may hold only a quarter of
/// it at once: while the server makes every queue read wait (here a lock on the table, in life a stall), the other
/// reads of the silo still get connections, and the waiting receivers all finish once the server moves again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueConnectionTests(PostgresServer server) : IDisposable
{
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => server.DropDatabase(_connectionString);

    [Theory]
    [InlineData(8, 2)]
    [InlineData(20, 5)]
    [InlineData(100, 25)]
    [InlineData(1000, 32)]
    public void Receivers_hold_a_quarter_of_the_pool_within_bounds(int pool, int held) =>
        Assert.Equal(held, PostgresDatabase.QueueConnectionsOf(pool));

    [Fact]
    public async Task Stalled_queue_reads_leave_the_rest_of_the_pool_to_the_silo_and_all_finish_afterwards()
    {
        // A pool of 8 that gives up after 2 s: without the bound, 32 stalled reads would hold all 8 connections.
        var pooled = new NpgsqlConnectionStringBuilder(_connectionString) { MaxPoolSize = 8, Timeout = 2 }.ConnectionString;
        using var database = new PostgresDatabase(pooled);
        var options = new PostgresStreamOptions { ConnectionString = pooled };
        var receivers = Enumerable.Range(0, 32).Select(q => new PostgresQueueAdapterReceiver(
            TestCluster.Provider, q, database, StandaloneServices.Serializer, options, TimeProvider.System, NullLogger.Instance)).ToList();
        foreach (var r in receivers)
        {
            await r.Initialize(TimeSpan.FromSeconds(5));
        }

        await using var locker = new NpgsqlConnection(_connectionString);
        await locker.OpenAsync();
        var tx = await locker.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE stream_message IN ACCESS EXCLUSIVE MODE", locker, tx).ExecuteNonQueryAsync();

        var polls = receivers.Select(r => r.GetQueueMessagesAsync(100, CancellationToken.None)).ToList();
        await TestCluster.Until(() => WaitingReads() == 2, TimeSpan.FromSeconds(10), () => $"{WaitingReads()} reads waiting on the lock, not 2");
        for (var i = 0; i < 3; i++)
        {
            await database.PingAsync(TimeSpan.FromSeconds(5), CancellationToken.None); // the pool still serves the silo
            Assert.Equal(2, WaitingReads());
            Assert.All(polls, p => Assert.False(p.IsCompleted));
            await Task.Delay(500);
        }

        await tx.CommitAsync();
        var read = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(read, Assert.Empty);
        Assert.Equal(2, database.QueueConnections.CurrentCount);
    }

    /// <summary>Sessions of this database (other than the locker) waiting on a lock in a queue read.</summary>
    private int WaitingReads()
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM stream_message%'
            """, c);
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
