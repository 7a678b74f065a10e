using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Streams;
using static Cluster.Storage.Tests.Support.ReceiverPolls;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// A receiver reads its queue when an append to it was notified, and otherwise only every fallback period: a row
/// inserted behind the writer's back (no notification) stays unread until then, one appended by the writer is read at
/// once, and while the listening connection is gone every poll reads again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueWakeupTests(PostgresServer server) : IDisposable
{
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => server.DropDatabase(_connectionString);

    [Fact]
    public async Task A_queue_is_read_when_an_append_to_it_is_notified_and_not_at_every_poll()
    {
        using var database = new PostgresDatabase(_connectionString);
        var writer = StandaloneServices.QueueWriter(database, queues: 2);
        var wakeups = database.QueueWakeups(TestCluster.Provider, 2, TimeSpan.FromMinutes(1), TimeProvider.System, NullLogger.Instance);
        await TestCluster.Until(() => wakeups.IsListening, TimeSpan.FromSeconds(30), () => "the queue listener never listened");
        var receiver = Receiver(database, queue: 0, wakeups);
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        Assert.Empty(await Poll(receiver)); // the first read after listening began: nothing stored yet

        InsertQuietly(queue: 0, seq: 1, new TestEvent(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await Poll(receiver)); // stored, but nobody was told: no poll reads it before the fallback
            await Task.Delay(50);
        }

        // An append through the writer (to queue 0, where the stream maps) notifies at its commit: the next poll reads both rows.
        var stream = Enumerable.Range(0, 100).Select(i => StreamId.Create(TestCluster.Namespace, $"p/a{i}"))
            .First(s => writer.Mapper.QueueOf(s) == 0);
        var appended = Assert.Single(await writer.AppendAsync([(stream, [new TestEvent(2)])]));
        var read = await UntilRead(receiver, "the notified append was not read");
        Assert.Equal([1, 2], read.Cast<QueueBatchContainer>().Select(m => ((TestEvent)m.Event).Number));
        Assert.Equal(2, appended.FirstSeq);
    }

    [Fact]
    public async Task A_row_nobody_was_told_of_is_read_after_the_fallback_period_and_at_every_poll_while_not_listening()
    {
        using var database = new PostgresDatabase(_connectionString);
        var wakeups = database.QueueWakeups(TestCluster.Provider, 1, TimeSpan.FromMilliseconds(300), TimeProvider.System, NullLogger.Instance);
        await TestCluster.Until(() => wakeups.IsListening, TimeSpan.FromSeconds(30), () => "the queue listener never listened");
        var receiver = Receiver(database, queue: 0, wakeups);
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        var clock = System.Diagnostics.Stopwatch.StartNew(); // before the read that starts the fallback period
        Assert.Empty(await Poll(receiver));

        InsertQuietly(queue: 0, seq: 1, new TestEvent(1));
        var first = await UntilRead(receiver, "the fallback read never came");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"read after {clock.ElapsedMilliseconds} ms, before the fallback period");
        Assert.Equal(1, ((TestEvent)((QueueBatchContainer)Assert.Single(first)).Event).Number);

        // The listening connection is killed: until it listens again, reads are not suppressed.
        using (var c = new NpgsqlConnection(_connectionString))
        {
            c.Open();
            using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()", c);
            kill.ExecuteNonQuery();
        }
        await TestCluster.Until(() => !wakeups.IsListening, TimeSpan.FromSeconds(30), () => "the listener did not notice its connection was gone");
        InsertQuietly(queue: 0, seq: 2, new TestEvent(2));
        Assert.Equal(2, ((TestEvent)((QueueBatchContainer)Assert.Single(await Poll(receiver))).Event).Number);

        // It listens again (which marks every queue once: QueueWakeupsTests), and rows go on arriving.
        await TestCluster.Until(() => wakeups.IsListening, TimeSpan.FromSeconds(30), () => "the queue listener did not listen again");
        InsertQuietly(queue: 0, seq: 3, new TestEvent(3));
        Assert.Equal(3, ((TestEvent)((QueueBatchContainer)Assert.Single(await UntilRead(receiver, "nothing read after listening again"))).Event).Number);
    }

    private PostgresQueueAdapterReceiver Receiver(PostgresDatabase database, int queue, QueueWakeups wakeups) =>
        new(TestCluster.Provider, queue, database, StandaloneServices.Serializer, new PostgresStreamOptions { ConnectionString = _connectionString },
            TimeProvider.System, NullLogger.Instance, wakeups);

    /// <summary>A row stored without the writer, so without a notification.</summary>
    private void InsertQuietly(int queue, long seq, TestEvent @event)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("""
            INSERT INTO queue_seq (provider, queue, last) VALUES (@p, @q, @s) ON CONFLICT (provider, queue) DO UPDATE SET last = @s;
            INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at) VALUES (@p, @q, @s, @ns, 'p/quiet', @pl, now());
            """, c);
        cmd.Parameters.AddWithValue("p", TestCluster.Provider);
        cmd.Parameters.AddWithValue("q", queue);
        cmd.Parameters.AddWithValue("s", seq);
        cmd.Parameters.AddWithValue("ns", TestCluster.Namespace);
        cmd.Parameters.AddWithValue("pl", StandaloneServices.Serializer.SerializeToArray<object>(@event));
        cmd.ExecuteNonQuery();
    }
}
