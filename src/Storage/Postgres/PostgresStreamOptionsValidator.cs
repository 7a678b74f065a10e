using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>Checks a PostgreSQL stream provider's options at silo start, naming the option to fix.</summary>
internal sealed class PostgresStreamOptionsValidator(PostgresStreamOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string Key(string option) => $"{nameof(PostgresStreamOptions)}.{option} of stream provider '{name}'";
        PostgresConnectionStrings.Validate(options.ConnectionString, Key(nameof(options.ConnectionString)));
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
        new PostgresStreamOptionsValidator(services.GetRequiredService<IOptionsMonitor<PostgresStreamOptions>>().Get(name), name);
}
