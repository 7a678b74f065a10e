using Npgsql;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>The connection-string check every PostgreSQL provider's validator runs.</summary>
internal static class PostgresConnectionStrings
{
    /// <param name="key">The option as the message names it, e.g. "PostgresStreamOptions.ConnectionString of stream provider 'posts'".</param>
    public static void Validate(string connectionString, string key)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OrleansConfigurationException($"{key} is required: the Npgsql connection string of the cluster database.");
        }
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException($"{key} is not a valid Npgsql connection string: {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(parsed.Host) || string.IsNullOrWhiteSpace(parsed.Database))
        {
            throw new OrleansConfigurationException($"{key} must name Host and Database.");
        }
    }
}
