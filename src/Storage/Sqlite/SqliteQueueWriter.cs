using System.Data.Common;
using Cluster.Storage.Streams;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Cluster.Storage.Sqlite;

/// <summary>
/// Appends stream events to the queue tables. The adapter's QueueMessageBatchAsync uses it for one stream; ingest
/// calls <see cref="AppendAsync"/> with thousands of posts of many streams, which become one transaction: every
/// event is stored, or none is, and the task completes only after the commit (then a 202 may be sent).
/// Each queue's sequence is allocated inside that transaction (<c>queue_seq</c>, queues in ascending order); rows of
/// one queue therefore commit in sequence order and a receiver reading "after my position" never passes one.
/// After each commit it wakes the receivers of the queues it appended to (<see cref="Wakeups"/>): the file has no other
/// writer, so a receiver reads only when told, when its last read was full, or after <see cref="SqliteStreamOptions.FallbackRead"/>.
/// Resolve it as the keyed service named like the stream provider.
/// </summary>
public sealed class SqliteQueueWriter
{
    private readonly string _provider;
    private readonly SqliteDatabase _database;
    private readonly Serializer _serializer;
    private readonly TimeProvider _time;

    internal SqliteQueueWriter(string provider, SqliteDatabase database, StreamQueueMapper mapper, Serializer serializer, TimeProvider time,
        TimeSpan? fallbackRead = null)
    {
        _provider = provider;
        _database = database;
        Mapper = mapper;
        _serializer = serializer;
        _time = time;
        // Listening from the start: every queue is marked once, for rows stored before this process (or by an import).
        Wakeups = new QueueWakeups(mapper.QueueCount, fallbackRead ?? TimeSpan.FromSeconds(2), time);
        Wakeups.SetListening(true);
    }

    internal StreamQueueMapper Mapper { get; }

    /// <summary>Which queues were appended to since their receivers last read them.</summary>
    internal QueueWakeups Wakeups { get; }

    internal SqliteDatabase Database => _database;

    /// <summary>Appends the events of many streams in one transaction; per stream they keep their order.</summary>
    /// <returns>Per queue touched, in ascending queue order, the sequences its rows got.</returns>
    public async Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items, CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(items);
        if (prepared.Count == 0)
        {
            return [];
        }
        var appended = await _database.Writer.WriteAsync((c, tx) => Append(c, tx, prepared), cancellationToken);
        Committed(appended);
        return appended;
    }

    /// <summary>
    /// After the commit of a transaction that appended (<see cref="Append"/>): wakes those queues' receivers. Never before
    /// the commit: a receiver woken earlier could read before the rows are visible and then wait for the fallback.
    /// </summary>
    internal void Committed(IReadOnlyList<QueueAppend> appended)
    {
        foreach (var a in appended)
        {
            Wakeups.Wake(a.Queue);
        }
    }

    /// <summary>
    /// Serializes and sorts by queue, outside the writer thread. The result can go into <see cref="Append"/> inside a
    /// transaction that also writes other rows (ingest: the post rows).
    /// </summary>
    internal SortedDictionary<int, List<PreparedRow>> Prepare(IReadOnlyList<(StreamId Stream, object[] Events)> items) =>
        PreparedRows.Prepare(Mapper, _serializer, items);

    /// <summary>Writes prepared rows inside the caller's write transaction (on the writer thread).</summary>
    internal IReadOnlyList<QueueAppend> Append(DbConnection c, DbTransaction tx, SortedDictionary<int, List<PreparedRow>> byQueue)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var result = new List<QueueAppend>(byQueue.Count);
        var allocate = _database.Statement(tx, """
            INSERT INTO queue_seq (provider, queue, last) VALUES ($p, $q, $n)
            ON CONFLICT (provider, queue) DO UPDATE SET last = last + excluded.last
            RETURNING last
            """);
        allocate.Parameters.AddWithValue("$p", _provider);
        var pq = allocate.Parameters.Add("$q", SqliteType.Integer);
        var pn = allocate.Parameters.Add("$n", SqliteType.Integer);
        var insert = _database.Statement(tx, """
            INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at)
            VALUES ($p, $q, $s, $ns, $k, $payload, $now)
            """);
        insert.Parameters.AddWithValue("$p", _provider);
        var iq = insert.Parameters.Add("$q", SqliteType.Integer);
        var @is = insert.Parameters.Add("$s", SqliteType.Integer);
        var ins = insert.Parameters.Add("$ns", SqliteType.Text);
        var ik = insert.Parameters.Add("$k", SqliteType.Text);
        var ipayload = insert.Parameters.Add("$payload", SqliteType.Blob);
        insert.Parameters.AddWithValue("$now", now);
        foreach (var (queue, rows) in byQueue)
        {
            pq.Value = queue;
            pn.Value = rows.Count;
            var last = Convert.ToInt64(allocate.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            var first = last - rows.Count + 1;
            var seq = first;
            iq.Value = queue;
            foreach (var row in rows)
            {
                @is.Value = seq++;
                ins.Value = row.Namespace;
                ik.Value = row.Key;
                ipayload.Value = row.Payload;
                insert.ExecuteNonQuery();
            }
            result.Add(new QueueAppend(queue, first, rows.Count));
        }
        return result;
    }
}
