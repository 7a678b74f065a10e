using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace Cluster.Storage.Sqlite;

/// <summary>Checks a SQLite grain storage's options at silo start, naming the option to fix.</summary>
internal sealed class SqliteGrainStorageOptionsValidator(SqliteGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new OrleansConfigurationException(
                $"{nameof(SqliteGrainStorageOptions)}.{nameof(options.DatabasePath)} of grain storage '{name}' is required: the SQLite file grain state is stored in.");
        }
    }

    public static IConfigurationValidator Create(IServiceProvider services, string name) =>
        new SqliteGrainStorageOptionsValidator(services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name), name);
}
