using System.Collections.Concurrent;

namespace Cluster.Storage.Sqlite;

/// <summary>
/// The silo's open databases, one per file: the stream provider and the grain storage configured with the same path
/// share one <see cref="SqliteDatabase"/> and so one writer (two writers on one file would only queue on its lock).
/// A DI singleton; disposed with the silo's service provider.
/// </summary>
internal sealed class SqliteDatabases : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<SqliteDatabase>> _open = new(StringComparer.Ordinal);

    public SqliteDatabase Get(string path) =>
        _open.GetOrAdd(Path.GetFullPath(path), static p => new Lazy<SqliteDatabase>(() => new SqliteDatabase(p))).Value;

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
