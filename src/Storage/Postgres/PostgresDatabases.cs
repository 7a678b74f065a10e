using System.Collections.Concurrent;

namespace Cluster.Storage.Postgres;

/// <summary>
/// The silo's open PostgreSQL databases, one per connection string: providers configured with the same one share one
/// <see cref="PostgresDatabase"/>, its pool and its writer. A DI singleton; disposed with the silo's service provider.
/// </summary>
internal sealed class PostgresDatabases : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PostgresDatabase>> _open = new(StringComparer.Ordinal);

    public PostgresDatabase Get(string connectionString) =>
        _open.GetOrAdd(connectionString, static s => new Lazy<PostgresDatabase>(() => new PostgresDatabase(s))).Value;

    public void Dispose()
    {
        foreach (var db in _open.Values)
        {
            if (db.IsValueCreated)
            {
                db.Value.Dispose();
            }
        }
        _open.Clear();
    }
}
