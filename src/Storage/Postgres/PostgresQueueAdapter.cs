using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Postgres;

/// <summary>
/// The producing side and the receiver factory of a PostgreSQL stream provider. Not rewindable: a consumer cannot ask for
/// a position; it gets every stored row of its stream from the oldest, and dedupes by the token.
/// </summary>
internal sealed class PostgresQueueAdapter(
    string name,
    PostgresQueueWriter writer,
    Serializer serializer,
    PostgresStreamOptions options,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    /// <summary>Appends one stream's events in one transaction; completes after the commit. Request context is not stored.</summary>
    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("The PostgreSQL stream provider does not take producer sequence tokens; the queue allocates them.", nameof(token));
        }
        var list = events.Select(static e => (object)e!).ToArray();
        await writer.AppendAsync([(streamId, list)]);
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new PostgresQueueAdapterReceiver(name, (int)queueId.GetNumericId(), writer.Database, serializer, options, time,
            loggerFactory.CreateLogger<PostgresQueueAdapterReceiver>());
}
