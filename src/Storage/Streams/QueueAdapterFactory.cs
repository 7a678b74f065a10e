using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Cluster.Storage.Streams;

/// <summary>
/// A queue-table stream provider's factory, as Orleans' PersistentStreamProvider asks for it. The cache is Orleans'
/// <see cref="SimpleQueueAdapterCache"/>: its purge is driven by consumer cursors, which is what makes
/// MessagesDeliveredAsync mean "every consumer completed OnNextAsync" (see <c>SqliteQueueAdapterReceiver</c>).
/// The PooledQueueCache family purges by age and memory pressure instead, whether or not a row was delivered, so its
/// purge could not drive deletes.
/// </summary>
internal sealed class QueueAdapterFactory(string name, int cacheSize, StreamQueueMapper mapper, QueueAdapter adapter, ILoggerFactory loggerFactory)
    : IQueueAdapterFactory
{
    private readonly SimpleQueueAdapterCache _cache = new(new SimpleQueueCacheOptions { CacheSize = cacheSize }, name, loggerFactory);

    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(adapter);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => mapper;

    /// <summary>No-op: a row that failed delivery is not acknowledged, so it stays stored and comes again on restart.</summary>
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler());
}
