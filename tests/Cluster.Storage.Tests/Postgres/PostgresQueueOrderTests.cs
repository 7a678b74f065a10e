using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>Two silos appending to one queue: sequences follow commit order, so a reader never passes a later-committing row.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueOrderTests(PostgresServer server) : IDisposable
{
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => server.DropDatabase(_connectionString);

    [Fact]
    public async Task A_second_append_to_a_queue_waits_for_the_first_to_commit_and_takes_the_following_sequences()
    {
        // The first append holds its transaction open on purpose until the second waits on it, which on a loaded machine may
        // take longer than the 5 s a session may otherwise stay idle in a transaction.
        using var first = new PostgresDatabase(new NpgsqlConnectionStringBuilder(_connectionString) { Options = "-c idle_in_transaction_session_timeout=60000" }.ConnectionString);
        using var second = new PostgresDatabase(_connectionString);
        var writerA = StandaloneServices.QueueWriter(first, queues: 1);
        var writerB = StandaloneServices.QueueWriter(second, queues: 1);
        var stream = StreamId.Create(TestCluster.Namespace, "p/a1");
        var receiver = new PostgresQueueAdapterReceiver(TestCluster.Provider, 0, first, StandaloneServices.Serializer,
            new PostgresStreamOptions { ConnectionString = _connectionString }, TimeProvider.System, NullLogger.Instance);
        await receiver.Initialize(TimeSpan.FromSeconds(5));

        // The first append allocates and inserts, then its transaction stays open until the gate opens.
        using var gate = new ManualResetEventSlim();
        var prepared = writerA.Prepare([(stream, [new TestEvent(1), new TestEvent(2), new TestEvent(3)])]);
        var held = first.Writer.WriteAsync((c, tx) =>
        {
            var appended = writerA.Append(c, tx, prepared);
            gate.Wait(TimeSpan.FromSeconds(60));
            return appended;
        });
        await TestCluster.Until(() => Sequences().Count == 0 && LastInQueueSeqIsLocked(), TimeSpan.FromSeconds(30),
            () => "the first append did not take the queue_seq row lock");

        var later = writerB.AppendAsync([(stream, [new TestEvent(4)])]);
        await TestCluster.Until(() => WaitingOnLocks() == 1, TimeSpan.FromSeconds(30), () => "the second append is not waiting on the row lock");
        Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None)); // nothing committed yet

        gate.Set();
        var a = Assert.Single(await held);
        var b = Assert.Single(await later);
        Assert.Equal(new QueueAppend(0, 1, 3), a);
        Assert.Equal(new QueueAppend(0, 4, 1), b);
        var read = await receiver.GetQueueMessagesAsync(100, CancellationToken.None);
        Assert.Equal([1, 2, 3, 4], read.Cast<QueueBatchContainer>().Select(m => ((TestEvent)m.Event).Number));
        Assert.Equal([1L, 2, 3, 4], read.Cast<QueueBatchContainer>().Select(m => m.Seq));
    }

    private List<long> Sequences() => Query<long>("SELECT seq FROM stream_message ORDER BY seq");

    private bool LastInQueueSeqIsLocked() =>
        Query<long>("SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation WHERE r.relname = 'queue_seq' AND l.mode = 'RowExclusiveLock'").Single() > 0;

    private long WaitingOnLocks() =>
        Query<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Single();

    private List<T> Query<T>(string sql) => PostgresQuery.Column<T>(_connectionString, sql);
}
