using Microsoft.Extensions.Options;
using Orleans;

namespace Cluster.Storage.Postgres;

/// <summary>Checks the PostgreSQL clustering options at silo start, naming the option to fix.</summary>
internal sealed class PostgresClusteringOptionsValidator(IOptions<PostgresClusteringOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() =>
        PostgresConnectionStrings.Validate(options.Value.ConnectionString,
            $"{nameof(PostgresClusteringOptions)}.{nameof(PostgresClusteringOptions.ConnectionString)}");
}
