using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Streams;

/// <summary>
/// What the SQLite and PostgreSQL receivers share: the position, the read bound, turning rows into batch containers
/// (an unreadable row is logged and skipped, never acknowledged), collecting the acknowledged sequences, and when to
/// prune delivered rows past the retention, and (given <see cref="QueueWakeups"/>) skipping the read of a queue no
/// append was notified for. The backends supply the three statements. For what an acknowledgement means, see
/// <c>SqliteQueueAdapterReceiver</c>.
/// </summary>
internal abstract class QueueReceiver(
    string provider, int queue, Serializer serializer, int readBatchSize, TimeSpan retention, TimeProvider time, ILogger logger,
    QueueWakeups? wakeups = null) : IQueueAdapterReceiver
{
    private static readonly IList<IBatchContainer> Nothing = Array.Empty<IBatchContainer>();

    private DateTimeOffset _nextRetentionPrune;
    private int _rowsRead;

    protected string Provider { get; } = provider;

    protected int Queue { get; } = queue;

    protected TimeProvider Time { get; } = time;

    /// <summary>The last sequence handed to Orleans.</summary>
    public long Position { get; private set; }

    public Task Initialize(TimeSpan timeout)
    {
        Position = 0;
        Sqlite.StorageLog.ReceiverStarted(logger, Provider, Queue);
        return Task.CompletedTask;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (retention > TimeSpan.Zero && Time.GetUtcNow() >= _nextRetentionPrune)
        {
            var now = Time.GetUtcNow();
            _nextRetentionPrune = now + TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
            await DeleteExpiredAsync(now - retention, cancellationToken);
        }
        if (wakeups?.ShouldRead(Queue) == false)
        {
            return Nothing;
        }
        var limit = maxCount <= 0 ? readBatchSize : Math.Min(maxCount, readBatchSize);
        var batch = new List<IBatchContainer>();
        _rowsRead = 0;
        await ReadAsync(Position, limit, batch, cancellationToken);
        wakeups?.Read(Queue, full: _rowsRead >= limit);
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
        await AcknowledgeAsync(seqs, retain: retention > TimeSpan.Zero, cancellationToken);
        Sqlite.StorageLog.Acknowledged(logger, Provider, Queue, seqs.Count);
    }

    public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;

    /// <summary>Reads at most <paramref name="limit"/> undelivered rows after <paramref name="after"/>, in order, through <see cref="Add"/>.</summary>
    protected abstract Task ReadAsync(long after, int limit, List<IBatchContainer> batch, CancellationToken cancellationToken);

    /// <summary>Deletes exactly these rows, or with a retention marks them delivered.</summary>
    protected abstract Task AcknowledgeAsync(List<long> seqs, bool retain, CancellationToken cancellationToken);

    /// <summary>Deletes delivered rows delivered at or before <paramref name="cut"/>, oldest first, one bounded request.</summary>
    protected abstract Task DeleteExpiredAsync(DateTimeOffset cut, CancellationToken cancellationToken);

    /// <summary>One row read in sequence order: it becomes the position, and a batch container if it can be read.</summary>
    protected void Add(long seq, string streamNamespace, string streamKey, byte[] payload, List<IBatchContainer> batch)
    {
        Position = seq;
        _rowsRead++;
        try
        {
            var @event = serializer.Deserialize<object>(payload) ?? throw new InvalidDataException("empty event");
            batch.Add(new QueueBatchContainer(StreamId.Create(streamNamespace, streamKey), @event, new EventSequenceTokenV2(seq)));
        }
        catch (Exception ex)
        {
            // A row this build cannot read stays stored (it is never acknowledged) and is tried again on restart.
            Sqlite.StorageLog.UnreadableRow(logger, ex, Provider, Queue, seq);
        }
    }
}
