using Cluster.Storage.Streams;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Reads one queue for Orleans' pulling agent: rows after its position, in sequence order, at most
/// <see cref="PostgresStreamOptions.ReadBatchSize"/> at a time, starting at the oldest row still stored (after a
/// restart or a queue moving to another silo everything not acknowledged is delivered again; consumers dedupe by the
/// sequence token). Acknowledgement has the SQLite receiver's meaning (every consumer of the row's stream completed
/// OnNextAsync; see <c>SqliteQueueAdapterReceiver</c> for the argument from Orleans' SimpleQueueCache), and as there
/// exactly the listed rows are deleted (<c>seq = ANY(…)</c>), not everything below the highest: a row whose delivery
/// failed stays and comes again when the queue restarts. Reads and deletes use pooled connections, not the writer:
/// they touch no row an append locks. A queue is read only when an append to it was notified (<see cref="PostgresQueueListener"/>),
/// or its last read filled the batch, or <see cref="PostgresStreamOptions.FallbackRead"/> passed: see <see cref="QueueWakeups"/>.
/// The receivers of a silo hold at most <see cref="PostgresDatabase.QueueConnections"/> pooled connections at once.
/// </summary>
internal sealed class PostgresQueueAdapterReceiver(
    string provider, int queue, PostgresDatabase database, Serializer serializer, PostgresStreamOptions options, TimeProvider time, ILogger logger,
    QueueWakeups? wakeups = null)
    : QueueReceiver(provider, queue, serializer, options.ReadBatchSize, options.Retention, time, logger, wakeups)
{
    protected override async Task ReadAsync(long after, int limit, List<IBatchContainer> batch, CancellationToken cancellationToken)
    {
        using var _ = await QueueConnection(cancellationToken);
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = PostgresDatabase.Command(c, null, """
            SELECT seq, stream_ns, stream_key, payload FROM stream_message
            WHERE provider = @p AND queue = @q AND seq > @after AND delivered_at IS NULL
            ORDER BY seq LIMIT @n
            """);
        cmd.Parameters.AddWithValue("p", Provider);
        cmd.Parameters.AddWithValue("q", Queue);
        cmd.Parameters.AddWithValue("after", after);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            Add(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<byte[]>(3), batch);
        }
    }

    /// <summary>Exactly the listed rows (<c>seq = ANY(…)</c>), at most PruneBatchSize a statement.</summary>
    protected override async Task AcknowledgeAsync(List<long> seqs, bool retain, CancellationToken cancellationToken)
    {
        var deliveredAt = Time.GetUtcNow();
        using var _ = await QueueConnection(cancellationToken);
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in seqs.Chunk(options.PruneBatchSize))
        {
            await using var cmd = PostgresDatabase.Command(c, null, retain
                ? "UPDATE stream_message SET delivered_at = @at WHERE provider = @p AND queue = @q AND seq = ANY(@seqs)"
                : "DELETE FROM stream_message WHERE provider = @p AND queue = @q AND seq = ANY(@seqs)");
            cmd.Parameters.AddWithValue("p", Provider);
            cmd.Parameters.AddWithValue("q", Queue);
            cmd.Parameters.AddWithValue("at", deliveredAt);
            cmd.Parameters.AddWithValue("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint, chunk);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    protected override async Task DeleteExpiredAsync(DateTimeOffset cut, CancellationToken cancellationToken)
    {
        using var _ = await QueueConnection(cancellationToken);
        await using var c = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = PostgresDatabase.Command(c, null, """
            DELETE FROM stream_message WHERE provider = @p AND queue = @q AND seq IN (
                SELECT seq FROM stream_message WHERE provider = @p AND queue = @q AND delivered_at IS NOT NULL AND delivered_at <= @cut
                ORDER BY seq LIMIT @n)
            """);
        cmd.Parameters.AddWithValue("p", Provider);
        cmd.Parameters.AddWithValue("q", Queue);
        cmd.Parameters.AddWithValue("cut", cut);
        cmd.Parameters.AddWithValue("n", options.PruneBatchSize);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A slot of <see cref="PostgresDatabase.QueueConnections"/>, released on dispose.</summary>
    private async Task<Slot> QueueConnection(CancellationToken cancellationToken)
    {
        await database.QueueConnections.WaitAsync(cancellationToken);
        return new Slot(database.QueueConnections);
    }

    private readonly struct Slot(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
