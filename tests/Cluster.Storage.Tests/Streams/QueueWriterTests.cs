using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Streams;

public sealed class QueueWriterTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Many_streams_in_one_append_get_consecutive_sequences_per_queue_in_one_transaction()
    {
        using var db = new SqliteDatabase(_temp.Path);
        var writer = StandaloneServices.QueueWriter(db, queues: 4);
        var items = Enumerable.Range(0, 50)
            .Select(s => (StreamId.Create(TestCluster.Namespace, $"p/a{s}"), Enumerable.Range(0, 3).Select(n => (object)new TestEvent(n)).ToArray()))
            .ToList();
        var before = db.Writer.Transactions;

        var first = await writer.AppendAsync(items);
        var second = await writer.AppendAsync(items);

        Assert.Equal(2, db.Writer.Transactions - before);
        Assert.Equal(first.Select(a => a.Queue).Order(), first.Select(a => a.Queue));
        Assert.Equal(150, first.Sum(a => a.Count));
        foreach (var a in first)
        {
            Assert.Equal(1, a.FirstSeq);
            var b = second.Single(x => x.Queue == a.Queue);
            Assert.Equal(a.FirstSeq + a.Count, b.FirstSeq);
            var seqs = Query<long>(db, $"SELECT seq FROM stream_message WHERE queue = {a.Queue} ORDER BY seq");
            Assert.Equal(Enumerable.Range(1, a.Count + b.Count).Select(i => (long)i), seqs);
            Assert.Equal(b.FirstSeq + b.Count - 1, Query<long>(db, $"SELECT last FROM queue_seq WHERE queue = {a.Queue}").Single());
        }
        // Per stream, rows keep the order of its events.
        var numbers = Query<string>(db, "SELECT stream_key FROM stream_message WHERE stream_key = 'p/a7' ORDER BY queue, seq");
        Assert.Equal(6, numbers.Count);
    }

    [Fact]
    public async Task An_append_that_fails_in_one_queue_stores_nothing_in_any_queue()
    {
        using var db = new SqliteDatabase(_temp.Path);
        var writer = StandaloneServices.QueueWriter(db, queues: 128);
        var streams = Enumerable.Range(0, 40).Select(s => StreamId.Create(TestCluster.Namespace, $"p/a{s}")).ToList();
        var lastQueue = streams.Max(s => writer.Mapper.QueueOf(s));
        // A row already at the sequence the append will allocate in the highest queue makes its insert fail after
        // every lower queue has been written.
        await db.Writer.WriteAsync((c, tx) =>
        {
            using var cmd = SqliteDatabase.Command(c, tx, """
                INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at) VALUES ($p, $q, 1, 'x', 'x', x'00', 0)
                """);
            cmd.Parameters.AddWithValue("$p", TestCluster.Provider);
            cmd.Parameters.AddWithValue("$q", lastQueue);
            return cmd.ExecuteNonQuery();
        });

        var items = streams.Select(s => (s, new object[] { new TestEvent(1), new TestEvent(2) })).ToList();
        await Assert.ThrowsAsync<SqliteException>(() => writer.AppendAsync(items));

        Assert.Equal(1L, Query<long>(db, "SELECT count(*) FROM stream_message").Single());
        Assert.Empty(Query<long>(db, "SELECT last FROM queue_seq"));
        var retry = await writer.AppendAsync(items.Where(i => writer.Mapper.QueueOf(i.s) != lastQueue).ToList());
        Assert.All(retry, a => Assert.Equal(1, a.FirstSeq));
    }

    [Fact]
    public void The_queue_of_a_stream_is_a_fixed_function_of_its_key()
    {
        // Part of the stored format: these values must never change (XxHash32, seed 0, of the UTF-8 key, mod 128).
        // Reference values computed from the xxHash specification, independently of System.IO.Hashing.
        Assert.Equal(92, StreamQueueMapper.QueueOf("p1/a1"u8, 128));
        Assert.Equal(61, StreamQueueMapper.QueueOf("weibo/u123456"u8, 128));
        Assert.Equal(90, StreamQueueMapper.QueueOf("douyin/9f8e7d6c5b4a39281716"u8, 128));
        var mapper = new StreamQueueMapper(TestCluster.Provider, 128);
        var used = Enumerable.Range(0, 20_000).Select(i => mapper.QueueOf(StreamId.Create(TestCluster.Namespace, $"platform/acct{i}"))).ToHashSet();
        Assert.Equal(128, used.Count);
        Assert.Equal(128, mapper.GetAllQueues().Select(q => q.GetNumericId()).Distinct().Count());
        Assert.Equal(mapper.GetQueueForStream(StreamId.Create("other", "p1/a1")), mapper.GetQueueForStream(StreamId.Create(TestCluster.Namespace, "p1/a1")));
    }

    [Fact]
    public void The_file_is_private_to_its_user()
    {
        using var db = new SqliteDatabase(_temp.Path);
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(_temp.Path)!));
        Assert.Equal("wal", Query<string>(db, "PRAGMA journal_mode").Single());
    }

    private static List<T> Query<T>(SqliteDatabase db, string sql)
    {
        using var c = db.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null, sql);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(r.GetFieldValue<T>(0));
        }
        return list;
    }
}
