using System.Data.Common;
using Cluster.Storage.Tests.Support;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Streams;

/// <summary>The queue writer contract, run against every backend by the derived classes.</summary>
public abstract class QueueWriterContract : IDisposable
{
    private readonly Backend _backend;

    private protected QueueWriterContract(Backend backend) => _backend = backend;

    public void Dispose() => _backend.Dispose();

    [Fact]
    public async Task Many_streams_in_one_append_get_consecutive_sequences_per_queue_in_one_transaction()
    {
        using var db = _backend.OpenStandalone(queues: 4);
        var items = Enumerable.Range(0, 50)
            .Select(s => (StreamId.Create(TestCluster.Namespace, $"p/a{s}"), Enumerable.Range(0, 3).Select(n => (object)new TestEvent(n)).ToArray()))
            .ToList();
        var before = db.Writer.Transactions;

        var first = await db.AppendAsync(items);
        var second = await db.AppendAsync(items);

        Assert.Equal(2, db.Writer.Transactions - before);
        Assert.Equal(first.Select(a => a.Queue).Order(), first.Select(a => a.Queue));
        Assert.Equal(150, first.Sum(a => a.Count));
        foreach (var a in first)
        {
            Assert.Equal(1, a.FirstSeq);
            var b = second.Single(x => x.Queue == a.Queue);
            Assert.Equal(a.FirstSeq + a.Count, b.FirstSeq);
            var seqs = db.Query<long>($"SELECT seq FROM stream_message WHERE queue = {a.Queue} ORDER BY seq");
            Assert.Equal(Enumerable.Range(1, a.Count + b.Count).Select(i => (long)i), seqs);
            Assert.Equal(b.FirstSeq + b.Count - 1, db.Query<long>($"SELECT last FROM queue_seq WHERE queue = {a.Queue}").Single());
        }
        // Per stream, rows keep the order of its events.
        var payloads = db.Query<byte[]>("SELECT payload FROM stream_message WHERE stream_key = 'p/a7' ORDER BY queue, seq");
        Assert.Equal([0, 1, 2, 0, 1, 2], payloads.Select(p => StandaloneServices.Serializer.Deserialize<object>(p)).Cast<TestEvent>().Select(e => e.Number));
    }

    [Fact]
    public async Task An_append_that_fails_in_one_queue_stores_nothing_in_any_queue()
    {
        using var db = _backend.OpenStandalone(queues: 128);
        var streams = Enumerable.Range(0, 40).Select(s => StreamId.Create(TestCluster.Namespace, $"p/a{s}")).ToList();
        var lastQueue = streams.Max(s => db.Mapper.QueueOf(s));
        // A row already at the sequence the append will allocate in the highest queue makes its insert fail after
        // every lower queue has been written.
        await db.ExecuteAsync("""
            INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at) VALUES (@p, @q, 1, 'x', 'x', @payload, @at)
            """, ("@p", TestCluster.Provider), ("@q", lastQueue), ("@payload", new byte[] { 0 }), ("@at", _backend.Timestamp(DateTimeOffset.UtcNow)));

        var items = streams.Select(s => (s, new object[] { new TestEvent(1), new TestEvent(2) })).ToList();
        await Assert.ThrowsAnyAsync<DbException>(() => db.AppendAsync(items));

        Assert.Equal(1L, db.Query<long>("SELECT count(*) FROM stream_message").Single());
        Assert.Empty(db.Query<long>("SELECT last FROM queue_seq"));
        var retry = await db.AppendAsync(items.Where(i => db.Mapper.QueueOf(i.s) != lastQueue).ToList());
        Assert.All(retry, a => Assert.Equal(1, a.FirstSeq));
    }
}
