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
}
