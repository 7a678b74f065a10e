using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Postgres;

/// <summary>The PostgreSQL stream provider: the shared queue-table adapter over this backend's writer and receivers.</summary>
internal static class PostgresQueueAdapterFactory
{
    public static IQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<PostgresStreamOptions>>().Get(name);
        var writer = services.GetRequiredKeyedService<PostgresQueueWriter>(name);
        var serializer = services.GetRequiredService<Serializer>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        PostgresLog.StreamsOpened(loggers.CreateLogger(typeof(PostgresQueueAdapterFactory)), name, options.QueueCount, writer.Database.Name);
        var wakeups = writer.Database.QueueWakeups(name, options.QueueCount, options.FallbackRead, time, loggers.CreateLogger<PostgresQueueListener>());
        var adapter = new QueueAdapter(name, "PostgreSQL", items => writer.AppendAsync(items),
            queue => new PostgresQueueAdapterReceiver(name, queue, writer.Database, serializer, options, time, loggers.CreateLogger<PostgresQueueAdapterReceiver>(),
                wakeups));
        return new QueueAdapterFactory(name, options.CacheSize, writer.Mapper, adapter, loggers);
    }
}
