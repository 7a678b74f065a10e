using Cluster.Storage.Streams;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
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
internal sealed class SqliteQueueAdapterReceiver(
    string provider, int queue, SqliteDatabase database, Serializer serializer, SqliteStreamOptions options, TimeProvider time, ILogger logger,
    QueueWakeups? wakeups = null)
    : QueueReceiver(provider, queue, serializer, options.ReadBatchSize, options.Retention, time, logger, wakeups)
{
    protected override Task ReadAsync(long after, int limit, List<IBatchContainer> batch, CancellationToken cancellationToken)
    {
        using var c = database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null, """
            SELECT seq, stream_ns, stream_key, payload FROM stream_message
            WHERE provider = $p AND queue = $q AND seq > $after AND delivered_at IS NULL
            ORDER BY seq LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$p", Provider);
        cmd.Parameters.AddWithValue("$q", Queue);
        cmd.Parameters.AddWithValue("$after", after);
        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            Add(r.GetInt64(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3), batch);
        }
        return Task.CompletedTask;
    }

    /// <summary>Runs of consecutive sequences, one BETWEEN each, at most PruneBatchSize rows a writer request.</summary>
    protected override async Task AcknowledgeAsync(List<long> seqs, bool retain, CancellationToken cancellationToken)
    {
        var deliveredAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var chunk in SeqRanges.Chunk(seqs, options.PruneBatchSize))
        {
            await database.Writer.WriteAsync((c, tx) =>
            {
                var cmd = database.Statement(tx, retain
                    ? "UPDATE stream_message SET delivered_at = $at WHERE provider = $p AND queue = $q AND seq BETWEEN $from AND $to"
                    : "DELETE FROM stream_message WHERE provider = $p AND queue = $q AND seq BETWEEN $from AND $to");
                cmd.Parameters.AddWithValue("$p", Provider);
                cmd.Parameters.AddWithValue("$q", Queue);
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
    }

    protected override Task DeleteExpiredAsync(DateTimeOffset cut, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((c, tx) =>
        {
            using var cmd = SqliteDatabase.Command(c, tx, """
                DELETE FROM stream_message WHERE provider = $p AND queue = $q AND seq IN (
                    SELECT seq FROM stream_message WHERE provider = $p AND queue = $q AND delivered_at IS NOT NULL AND delivered_at <= $cut
                    ORDER BY seq LIMIT $n)
                """);
            cmd.Parameters.AddWithValue("$p", Provider);
            cmd.Parameters.AddWithValue("$q", Queue);
            cmd.Parameters.AddWithValue("$cut", cut.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$n", options.PruneBatchSize);
            return cmd.ExecuteNonQuery();
        }, cancellationToken);
}
