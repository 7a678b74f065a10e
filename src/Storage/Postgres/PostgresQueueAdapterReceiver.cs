using Cluster.Storage.Streams;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
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
/// they touch no row an append locks.
/// </summary>
internal sealed class PostgresQueueAdapterReceiver : IQueueAdapterReceiver
{
    private readonly string _provider;
    private readonly int _queue;
    private readonly PostgresDatabase _database;
    private readonly Serializer _serializer;
    private readonly PostgresStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _position;
    private DateTimeOffset _nextRetentionPrune;

    public PostgresQueueAdapterReceiver(string provider, int queue, PostgresDatabase database, Serializer serializer, PostgresStreamOptions options,
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
        PostgresLog.ReceiverStarted(_logger, _provider, _queue);
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
        await using var c = await _database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = PostgresDatabase.Command(c, null, """
            SELECT seq, stream_ns, stream_key, payload FROM stream_message
            WHERE provider = @p AND queue = @q AND seq > @after AND delivered_at IS NULL
            ORDER BY seq LIMIT @n
            """);
        cmd.Parameters.AddWithValue("p", _provider);
        cmd.Parameters.AddWithValue("q", _queue);
        cmd.Parameters.AddWithValue("after", _position);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var seq = r.GetInt64(0);
            _position = seq;
            try
            {
                var stream = StreamId.Create(r.GetString(1), r.GetString(2));
                var payload = r.GetFieldValue<byte[]>(3);
                var @event = _serializer.Deserialize<object>(payload) ?? throw new InvalidDataException("empty event");
                batch.Add(new QueueBatchContainer(stream, @event, new EventSequenceTokenV2(seq)));
            }
            catch (Exception ex)
            {
                // A row this build cannot read stays stored (it is never acknowledged) and is tried again on restart.
                PostgresLog.UnreadableRow(_logger, ex, _provider, _queue, seq);
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
        var retain = _options.Retention > TimeSpan.Zero;
        var deliveredAt = _time.GetUtcNow();
        await using var c = await _database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in seqs.Chunk(_options.PruneBatchSize))
        {
            await using var cmd = PostgresDatabase.Command(c, null, retain
                ? "UPDATE stream_message SET delivered_at = @at WHERE provider = @p AND queue = @q AND seq = ANY(@seqs)"
                : "DELETE FROM stream_message WHERE provider = @p AND queue = @q AND seq = ANY(@seqs)");
            cmd.Parameters.AddWithValue("p", _provider);
            cmd.Parameters.AddWithValue("q", _queue);
            cmd.Parameters.AddWithValue("at", deliveredAt);
            cmd.Parameters.AddWithValue("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint, chunk);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        PostgresLog.Acknowledged(_logger, _provider, _queue, seqs.Count);
    }

    public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;

    /// <summary>Deletes delivered rows older than the retention, oldest first, one bounded statement per call.</summary>
    private async Task PruneExpiredAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _nextRetentionPrune = now + TimeSpan.FromTicks(Math.Clamp(_options.Retention.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        await using var c = await _database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = PostgresDatabase.Command(c, null, """
            DELETE FROM stream_message WHERE provider = @p AND queue = @q AND seq IN (
                SELECT seq FROM stream_message WHERE provider = @p AND queue = @q AND delivered_at IS NOT NULL AND delivered_at <= @cut
                ORDER BY seq LIMIT @n)
            """);
        cmd.Parameters.AddWithValue("p", _provider);
        cmd.Parameters.AddWithValue("q", _queue);
        cmd.Parameters.AddWithValue("cut", now - _options.Retention);
        cmd.Parameters.AddWithValue("n", _options.PruneBatchSize);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
