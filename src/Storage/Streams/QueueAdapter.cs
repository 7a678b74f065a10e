using Orleans.Runtime;
using Orleans.Streams;

namespace Cluster.Storage.Streams;

/// <summary>
/// The producing side and the receiver factory of a stream provider over a database table of queue rows (SQLite or
/// PostgreSQL: the backend gives its writer's append and its receivers). Not rewindable: a consumer cannot ask for a
/// position; it gets every stored row of its stream from the oldest, and dedupes by the token.
/// </summary>
internal sealed class QueueAdapter(
    string name,
    string backend,
    Func<IReadOnlyList<(StreamId Stream, object[] Events)>, Task> append,
    Func<int, IQueueAdapterReceiver> createReceiver) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    /// <summary>Appends one stream's events in one transaction; completes after the commit. Request context is not stored.</summary>
    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException($"The {backend} stream provider does not take producer sequence tokens; the queue allocates them.", nameof(token));
        }
        await append([(streamId, events.Select(static e => (object)e!).ToArray())]);
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => createReceiver((int)queueId.GetNumericId());
}
