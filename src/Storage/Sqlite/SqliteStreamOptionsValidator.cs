using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace Cluster.Storage.Sqlite;

/// <summary>Checks a SQLite stream provider's options at silo start, naming the option to fix.</summary>
internal sealed class SqliteStreamOptionsValidator(SqliteStreamOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string Key(string option) => $"{nameof(SqliteStreamOptions)}.{option} of stream provider '{name}'";
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.DatabasePath))} is required: the SQLite file the queues are stored in.");
        }
        if (options.QueueCount is < 1 or > 4096)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.QueueCount))} must be 1..4096, not {options.QueueCount}.");
        }
        if (options.ReadBatchSize < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.ReadBatchSize))} must be at least 1, not {options.ReadBatchSize}.");
        }
        if (options.CacheSize < 10)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.CacheSize))} must be at least 10, not {options.CacheSize}.");
        }
        if (options.Retention < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.Retention))} must not be negative, not {options.Retention}.");
        }
        if (options.PruneBatchSize < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.PruneBatchSize))} must be at least 1, not {options.PruneBatchSize}.");
        }
        if (options.FallbackRead <= TimeSpan.Zero || options.FallbackRead > TimeSpan.FromMinutes(1))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.FallbackRead))} must be more than zero and at most a minute, not {options.FallbackRead}.");
        }
    }

    public static IConfigurationValidator Create(IServiceProvider services, string name) =>
        new SqliteStreamOptionsValidator(services.GetRequiredService<IOptionsMonitor<SqliteStreamOptions>>().Get(name), name);
}
