using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Storage.Sqlite;

/// <summary>The SQLite stream provider: the shared queue-table adapter over this backend's writer and receivers.</summary>
internal static class SqliteQueueAdapterFactory
{
    public static IQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteStreamOptions>>().Get(name);
        var writer = services.GetRequiredKeyedService<SqliteQueueWriter>(name);
        var serializer = services.GetRequiredService<Serializer>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        StorageLog.StreamsOpened(loggers.CreateLogger(typeof(SqliteQueueAdapterFactory)), name, options.QueueCount, writer.Database.Path);
        var adapter = new QueueAdapter(name, "SQLite", items => writer.AppendAsync(items),
            queue => new SqliteQueueAdapterReceiver(name, queue, writer.Database, serializer, options, time, loggers.CreateLogger<SqliteQueueAdapterReceiver>(),
                writer.Wakeups));
        return new QueueAdapterFactory(name, options.CacheSize, writer.Mapper, adapter, loggers);
    }
}
