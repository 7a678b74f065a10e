using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Postgres;

/// <summary>
/// The PostgreSQL stream provider's factory, as Orleans' PersistentStreamProvider asks for it. The cache is Orleans'
/// <see cref="SimpleQueueAdapterCache"/>: its purge is driven by consumer cursors, which is what makes
/// MessagesDeliveredAsync mean "every consumer completed OnNextAsync" (see <see cref="PostgresQueueAdapterReceiver"/>).
/// The PooledQueueCache family purges by age and memory pressure instead, whether or not a row was delivered, so its
/// purge could not drive deletes.
/// </summary>
internal sealed class PostgresQueueAdapterFactory : IQueueAdapterFactory
{
    private readonly string _name;
    private readonly PostgresStreamOptions _options;
    private readonly PostgresQueueWriter _writer;
    private readonly Serializer _serializer;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SimpleQueueAdapterCache _cache;

    public PostgresQueueAdapterFactory(string name, PostgresStreamOptions options, PostgresQueueWriter writer, Serializer serializer, TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        _name = name;
        _options = options;
        _writer = writer;
        _serializer = serializer;
        _time = time;
        _loggerFactory = loggerFactory;
        _cache = new SimpleQueueAdapterCache(new SimpleQueueCacheOptions { CacheSize = options.CacheSize }, name, loggerFactory);
        PostgresLog.StreamsOpened(loggerFactory.CreateLogger<PostgresQueueAdapterFactory>(), name, options.QueueCount, writer.Database.Name);
    }

    public Task<IQueueAdapter> CreateAdapter() =>
        Task.FromResult<IQueueAdapter>(new PostgresQueueAdapter(_name, _writer, _serializer, _options, _time, _loggerFactory));

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _writer.Mapper;

    /// <summary>No-op: a row that failed delivery is not acknowledged, so it stays stored and comes again on restart.</summary>
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler());

    public static IQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new PostgresQueueAdapterFactory(
            name,
            services.GetRequiredService<IOptionsMonitor<PostgresStreamOptions>>().Get(name),
            services.GetRequiredKeyedService<PostgresQueueWriter>(name),
            services.GetRequiredService<Serializer>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>());
}
