using Cluster.Grains.Accounts;
using Cluster.Grains.Posts;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Streams;
using static Cluster.Storage.Tests.Support.ReceiverPolls;

namespace Cluster.Storage.Tests.Streams;

/// <summary>
/// On SQLite the process is the file's only writer, so its writer wakes the receivers of the queues a commit appended
/// to: such a queue is read at the next poll, one nobody appended to is not read again before the fallback, and a row
/// stored some other way (an import) is read at the latest after the fallback. Both append paths wake: the queue
/// writer's own and ingest's group commit of posts with their stream rows.
/// </summary>
public sealed class SqliteQueueWakeupTests : IDisposable
{
    private readonly SqliteBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    [Fact]
    public async Task A_queue_is_read_after_a_commit_appended_to_it_and_a_quiet_row_only_after_the_fallback()
    {
        using var db = new SqliteDatabase(_backend.Path);
        var writer = new SqliteQueueWriter(TestCluster.Provider, db, new StreamQueueMapper(TestCluster.Provider, 2), StandaloneServices.Serializer,
            TimeProvider.System, fallbackRead: TimeSpan.FromMilliseconds(400));
        var receiver = Receiver(db, writer, queue: 0);
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        Assert.Empty(await Poll(receiver)); // every queue is marked at the start: this read finds the file empty

        InsertQuietly(db, seq: 1, new TestEvent(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await Poll(receiver)); // stored behind the writer's back: not read before the fallback
            await Task.Delay(40);
        }
        var quiet = await UntilRead(receiver, "the fallback read never came");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), $"read after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(1, Number(Assert.Single(quiet)));

        var stream = Enumerable.Range(0, 100).Select(i => StreamId.Create(TestCluster.Namespace, $"p/a{i}")).First(s => writer.Mapper.QueueOf(s) == 0);
        await writer.AppendAsync([(stream, [new TestEvent(2)])]);
        Assert.Equal(2, Number(Assert.Single(await Poll(receiver)))); // the very next poll, not the fallback
        Assert.Empty(await Poll(receiver));
    }

    [Fact]
    public async Task Ingest_group_commits_wake_the_queues_of_their_posts()
    {
        using var db = new SqliteDatabase(_backend.Path);
        var writer = new SqliteQueueWriter(TestCluster.Provider, db, new StreamQueueMapper(TestCluster.Provider, 4), StandaloneServices.Serializer,
            TimeProvider.System, fallbackRead: TimeSpan.FromMinutes(1));
        var facts = new Cluster.Storage.Sqlite.Facts.SqliteFactsStore(db, writer, TimeProvider.System);
        var receivers = Enumerable.Range(0, 4).Select(q => Receiver(db, writer, q)).ToList();
        foreach (var r in receivers)
        {
            await r.Initialize(TimeSpan.FromSeconds(5));
            Assert.Empty(await Poll(r));
        }

        var posts = Enumerable.Range(0, 8).Select(i => Post("pl", $"p{i}", $"u{i}", "text " + i)).ToList();
        await facts.AppendPostsAsync(posts, CancellationToken.None);
        var read = 0;
        foreach (var r in receivers)
        {
            read += (await Poll(r)).Count; // one poll each, within the minute of fallback: only a wake-up reads
        }
        Assert.Equal(8, read);
    }

    private static PostAppend Post(string platform, string id, string account, string text)
    {
        var post = new PostRecord(platform, id, account, "post", text, null, DateTimeOffset.UnixEpoch, ContentHash.Of("post", text), 1);
        return new PostAppend(post, new PostSubmitted(PostSubmitted.CurrentV, platform, id, account, "post", DateTimeOffset.UnixEpoch, null, []), true);
    }

    private static int Number(IBatchContainer m) => ((TestEvent)((QueueBatchContainer)m).Event).Number;

    private static SqliteQueueAdapterReceiver Receiver(SqliteDatabase db, SqliteQueueWriter writer, int queue) =>
        new(TestCluster.Provider, queue, db, StandaloneServices.Serializer, new SqliteStreamOptions { DatabasePath = db.Path },
            TimeProvider.System, NullLogger.Instance, writer.Wakeups);

    private static void InsertQuietly(SqliteDatabase db, long seq, TestEvent @event)
    {
        using var c = new SqliteConnection($"Data Source={db.Path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO queue_seq (provider, queue, last) VALUES ($p, 0, $s) ON CONFLICT (provider, queue) DO UPDATE SET last = $s;
            INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at) VALUES ($p, 0, $s, $ns, 'p/quiet', $pl, 0);
            """;
        cmd.Parameters.AddWithValue("$p", TestCluster.Provider);
        cmd.Parameters.AddWithValue("$s", seq);
        cmd.Parameters.AddWithValue("$ns", TestCluster.Namespace);
        cmd.Parameters.AddWithValue("$pl", StandaloneServices.Serializer.SerializeToArray<object>(@event));
        cmd.ExecuteNonQuery();
    }
}
