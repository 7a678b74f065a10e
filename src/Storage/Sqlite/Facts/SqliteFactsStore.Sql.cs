using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>The store's small ADO.NET kit: the combining writer, connections and parameter binding.</summary>
public sealed partial class SqliteFactsStore
{
    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction on the database's one writer thread, combined with whatever
    /// else is queued (group commit), in its own savepoint: a request that throws rolls back alone and gets the exception.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        _database.Writer.WriteAsync((c, tx) => work((SqliteConnection)c, (SqliteTransaction)tx), cancellationToken);

    private SqliteConnection OpenRead() => _database.OpenRead();

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    /// <summary>
    /// <see cref="Command"/> for a statement of a writer request, prepared once on the writer connection and reused
    /// (constant SQL only; not disposed by the caller).
    /// </summary>
    private SqliteCommand Prepared(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _database.KeptStatement(tx, sql);
        if (cmd.Parameters.Count == 0)
        {
            foreach (var (name, _) in parameters)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            cmd.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
        }
        return cmd;
    }

    private static void Set(SqliteCommand cmd, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
        }
    }

    private static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T? ScalarOrDefault<T>(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        var value = cmd.ExecuteScalar();
        if (value is null or DBNull)
        {
            return default;
        }
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T? ScalarOrDefault<T>(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters) =>
        ScalarOrDefault<T>(c, null, sql, parameters);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? FromUnixMs(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : FromUnixMs(r.GetInt64(ordinal));

    private static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
