using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>Checks a PostgreSQL grain storage's options at silo start, naming the option to fix.</summary>
internal sealed class PostgresGrainStorageOptionsValidator(PostgresGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration() =>
        PostgresConnectionStrings.Validate(options.ConnectionString, $"{nameof(PostgresGrainStorageOptions)}.{nameof(options.ConnectionString)} of grain storage '{name}'");

    public static IConfigurationValidator Create(IServiceProvider services, string name) =>
        new PostgresGrainStorageOptionsValidator(services.GetRequiredService<IOptionsMonitor<PostgresGrainStorageOptions>>().Get(name), name);
}
