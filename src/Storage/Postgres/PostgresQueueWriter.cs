using System.Data.Common;
using Cluster.Storage.Streams;
using Npgsql;
using NpgsqlTypes;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Appends stream events to the queue tables on PostgreSQL; the twin of the SQLite writer. Ingest calls
/// <see cref="AppendAsync"/> with the posts of many streams, which become one transaction (all stored or none; the task
/// completes after the commit). Inside it, each touched queue's <c>queue_seq</c> row is advanced by its row count with
/// <c>UPDATE … RETURNING</c>, queues in ascending order (one round trip for all of them), then every row is inserted by
/// one <c>INSERT … SELECT FROM unnest(…)</c>. The queue_seq row stays locked until commit, so appends to one queue from
/// any number of silos commit in sequence order and a receiver reading "after my position" never passes a row that
/// commits later. The transaction also notifies <see cref="PostgresQueueListener.Channel"/> with the queues it wrote, which
/// wakes their receivers on whichever silo holds them. Resolve it as the keyed service named like the stream provider.
/// </summary>
public sealed class PostgresQueueWriter
{
    private readonly string _provider;
    private readonly Serializer _serializer;
    private readonly TimeProvider _time;

    internal PostgresQueueWriter(string provider, PostgresDatabase database, StreamQueueMapper mapper, Serializer serializer, TimeProvider time)
    {
        _provider = provider;
        Database = database;
        Mapper = mapper;
        _serializer = serializer;
        _time = time;
    }

    internal StreamQueueMapper Mapper { get; }

    internal PostgresDatabase Database { get; }

    /// <summary>Appends the events of many streams in one transaction; per stream they keep their order.</summary>
    /// <returns>Per queue touched, in ascending queue order, the sequences its rows got.</returns>
    public Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items, CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(items);
        return prepared.Count == 0
            ? Task.FromResult<IReadOnlyList<QueueAppend>>([])
            : Database.Writer.WriteAsync((c, tx) => Append(c, tx, prepared), cancellationToken);
    }

    /// <summary>
    /// Serializes and sorts by queue, outside the writer thread. The result can go into <see cref="Append"/> inside a
    /// transaction that also writes other rows (ingest: the post rows).
    /// </summary>
    internal SortedDictionary<int, List<PreparedRow>> Prepare(IReadOnlyList<(StreamId Stream, object[] Events)> items) =>
        PreparedRows.Prepare(Mapper, _serializer, items);

    /// <summary>Writes prepared rows inside the caller's write transaction (on the writer thread).</summary>
    internal IReadOnlyList<QueueAppend> Append(DbConnection connection, DbTransaction tx, SortedDictionary<int, List<PreparedRow>> byQueue)
    {
        var c = (NpgsqlConnection)connection;
        var result = new List<QueueAppend>(byQueue.Count);
        // One statement per queue, in ascending order, sent as one batch: PostgreSQL runs them in order, so the row
        // locks are taken in ascending queue order and two appenders cannot deadlock on them.
        using (var allocate = new NpgsqlBatch(c, (NpgsqlTransaction)tx))
        {
            foreach (var (queue, rows) in byQueue)
            {
                var cmd = new NpgsqlBatchCommand("""
                    INSERT INTO queue_seq (provider, queue, last) VALUES (@p, @q, @n)
                    ON CONFLICT (provider, queue) DO UPDATE SET last = queue_seq.last + excluded.last
                    RETURNING last
                    """);
                cmd.Parameters.AddWithValue("p", _provider);
                cmd.Parameters.AddWithValue("q", queue);
                cmd.Parameters.AddWithValue("n", (long)rows.Count);
                allocate.BatchCommands.Add(cmd);
            }
            using var r = allocate.ExecuteReader();
            foreach (var (queue, rows) in byQueue)
            {
                if (!r.Read())
                {
                    throw new InvalidOperationException($"queue_seq of provider {_provider} queue {queue} returned no row");
                }
                var last = r.GetInt64(0);
                result.Add(new QueueAppend(queue, last - rows.Count + 1, rows.Count));
                r.NextResult();
            }
        }
        var total = result.Sum(static a => a.Count);
        var queues = new int[total];
        var seqs = new long[total];
        var namespaces = new string[total];
        var keys = new string[total];
        var payloads = new byte[total][];
        var i = 0;
        var q = 0;
        foreach (var (queue, rows) in byQueue)
        {
            var seq = result[q++].FirstSeq;
            foreach (var row in rows)
            {
                queues[i] = queue;
                seqs[i] = seq++;
                namespaces[i] = row.Namespace;
                keys[i] = row.Key;
                payloads[i] = row.Payload;
                i++;
            }
        }
        // The insert, and the notification that wakes the receivers of these queues on every silo at commit, in one round trip.
        using var write = new NpgsqlBatch(c, (NpgsqlTransaction)tx);
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO stream_message (provider, queue, seq, stream_ns, stream_key, payload, enqueued_at)
            SELECT @p, q, s, ns, k, pl, @now FROM unnest(@q, @s, @ns, @k, @pl) AS t(q, s, ns, k, pl)
            """);
        insert.Parameters.AddWithValue("p", _provider);
        insert.Parameters.AddWithValue("now", _time.GetUtcNow());
        insert.Parameters.AddWithValue("q", NpgsqlDbType.Array | NpgsqlDbType.Integer, queues);
        insert.Parameters.AddWithValue("s", NpgsqlDbType.Array | NpgsqlDbType.Bigint, seqs);
        insert.Parameters.AddWithValue("ns", NpgsqlDbType.Array | NpgsqlDbType.Text, namespaces);
        insert.Parameters.AddWithValue("k", NpgsqlDbType.Array | NpgsqlDbType.Text, keys);
        insert.Parameters.AddWithValue("pl", NpgsqlDbType.Array | NpgsqlDbType.Bytea, payloads);
        write.BatchCommands.Add(insert);
        var notify = new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresQueueListener.Channel}', @payload)");
        notify.Parameters.AddWithValue("payload", PostgresQueueListener.Payload(_provider, byQueue.Keys));
        write.BatchCommands.Add(notify);
        write.ExecuteNonQuery();
        return result;
    }
}
