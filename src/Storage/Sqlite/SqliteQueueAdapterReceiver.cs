using Cluster.Storage.Streams;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Sqlite;

/// <summary>
/// Reads one queue for Orleans' pulling agent: rows after its position, in sequence order, at most
/// <see cref="SqliteStreamOptions.ReadBatchSize"/> at a time. It starts at the oldest row still stored, so after a
/// restart or a queue moving to another silo everything not acknowledged is delivered again (at least once; consumers
/// dedupe by the sequence token).
/// <para>
/// What <see cref="MessagesDeliveredAsync(IList{IBatchContainer}, CancellationToken)"/> means. The agent
/// (Orleans.Streaming PersistentStreamPullingAgent.ReadFromQueue) calls it, before each read, with what
/// <c>SimpleQueueCache.TryPurgeFromCache</c> released (Common/SimpleCache/SimpleQueueCache.cs). That cache keeps rows in
/// ten buckets and releases a whole bucket only when no consumer cursor points into it. A cursor points at the row
/// being delivered to its consumer and moves past it only on the next MoveNext, which RunConsumerCursor calls after
/// DeliverBatchToConsumer returned, i.e. after the consumer grain's OnNextAsync for it completed (StreamSubscriptionHandleImpl
/// awaits each OnNextAsync). Delivery is retried until StreamPullingAgentOptions.MaxEventDeliveryTime (default
/// 1 minute); a row that still failed is marked DeliveryFailure, the cursor goes on, and the cache leaves it out of the
/// released list. Rows of a stream with no consumer are released without delivery, and a cold stream's rows stay
/// pinned while its registration runs (ReadFromQueue reads and purges nothing meanwhile). So "delivered" means: every
/// consumer of the row's stream on this queue completed OnNextAsync for it (and for every earlier row of that stream).
/// Since an AccountGrain returns from OnNextAsync only after its state write is durable, a row listed here has its
/// effects stored and may be deleted.
/// </para>
/// <para>
/// Because failed rows are left out while later rows of the same bucket are not, this receiver deletes exactly the
/// listed rows rather than everything up to the highest: a row whose delivery failed stays stored and is delivered
/// again when the queue restarts. The agent ignores (logs) an exception from here, so a failed delete only means a
/// later redelivery.
/// </para>
/// </summary>
internal sealed class SqliteQueueAdapterReceiver : IQueueAdapterReceiver
{
    private readonly string _provider;
    private readonly int _queue;
    private readonly SqliteDatabase _database;
    private readonly Serializer _serializer;
    private readonly SqliteStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _position;
    private DateTimeOffset _nextRetentionPrune;

    public SqliteQueueAdapterReceiver(string provider, int queue, SqliteDatabase database, Serializer serializer, SqliteStreamOptions options,
        TimeProvider time, ILogger logger)
    {
        _provider = provider;
        _queue = queue;
        _database = database;
        _serializer = serializer;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last sequence handed to Orleans.</summary>
    public long Position => _position;

    public Task Initialize(TimeSpan timeout)
    {
        _position = 0;
        StorageLog.ReceiverStarted(_logger, _provider, _queue);
        return Task.CompletedTask;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_options.Retention > TimeSpan.Zero && _time.GetUtcNow() >= _nextRetentionPrune)
        {
            await PruneExpiredAsync(cancellationToken);
        }
        var limit = maxCount <= 0 ? _options.ReadBatchSize : Math.Min(maxCount, _options.ReadBatchSize);
        var batch = new List<IBatchContainer>();
        using var c = _database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null, """
            SELECT seq, stream_ns, stream_key, payload FROM stream_message
            WHERE provider = $p AND queue = $q AND seq > $after AND delivered_at IS NULL
            ORDER BY seq LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$p", _provider);
        cmd.Parameters.AddWithValue("$q", _queue);
        cmd.Parameters.AddWithValue("$after", _position);
        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var seq = r.GetInt64(0);
            _position = seq;
            try
            {
                var stream = StreamId.Create(r.GetString(1), r.GetString(2));
                var payload = (byte[])r.GetValue(3);
                var @event = _serializer.Deserialize<object>(payload) ?? throw new InvalidDataException("empty event");
                batch.Add(new QueueBatchContainer(stream, @event, new EventSequenceTokenV2(seq)));
            }
            catch (Exception ex)
            {
                // A row this build cannot read stays stored (it is never acknowledged) and is tried again on restart.
                StorageLog.UnreadableRow(_logger, ex, _provider, _queue, seq);
            }
        }
        return batch;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }
        var seqs = new List<long>(messages.Count);
        foreach (var m in messages)
        {
            if (m is QueueBatchContainer row)
            {
                seqs.Add(row.Seq);
            }
        }
        seqs.Sort();
        var deliveredAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var retain = _options.Retention > TimeSpan.Zero;
        foreach (var chunk in SeqRanges.Chunk(seqs, _options.PruneBatchSize))
        {
            await _database.Writer.WriteAsync((c, tx) =>
            {
                var cmd = _database.Statement(tx, retain
                    ? "UPDATE stream_message SET delivered_at = $at WHERE provider = $p AND queue = $q AND seq BETWEEN $from AND $to"
                    : "DELETE FROM stream_message WHERE provider = $p AND queue = $q AND seq BETWEEN $from AND $to");
                cmd.Parameters.AddWithValue("$p", _provider);
                cmd.Parameters.AddWithValue("$q", _queue);
                cmd.Parameters.AddWithValue("$at", deliveredAt);
                var from = cmd.Parameters.Add("$from", SqliteType.Integer);
                var to = cmd.Parameters.Add("$to", SqliteType.Integer);
                var rows = 0;
                foreach (var (first, last) in chunk)
                {
                    from.Value = first;
                    to.Value = last;
                    rows += cmd.ExecuteNonQuery();
                }
                return rows;
            }, cancellationToken);
        }
        StorageLog.Acknowledged(_logger, _provider, _queue, seqs.Count);
    }

    public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;

    /// <summary>Deletes delivered rows older than the retention, oldest first, one bounded request per call.</summary>
    private async Task PruneExpiredAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _nextRetentionPrune = now + TimeSpan.FromTicks(Math.Clamp(_options.Retention.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        var cut = (now - _options.Retention).ToUnixTimeMilliseconds();
        await _database.Writer.WriteAsync((c, tx) =>
        {
            using var cmd = SqliteDatabase.Command(c, tx, """
                DELETE FROM stream_message WHERE provider = $p AND queue = $q AND seq IN (
                    SELECT seq FROM stream_message WHERE provider = $p AND queue = $q AND delivered_at IS NOT NULL AND delivered_at <= $cut
                    ORDER BY seq LIMIT $n)
                """);
            cmd.Parameters.AddWithValue("$p", _provider);
            cmd.Parameters.AddWithValue("$q", _queue);
            cmd.Parameters.AddWithValue("$cut", cut);
            cmd.Parameters.AddWithValue("$n", _options.PruneBatchSize);
            return cmd.ExecuteNonQuery();
        }, cancellationToken);
    }
}
