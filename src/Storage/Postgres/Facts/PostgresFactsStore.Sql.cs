using Npgsql;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres.Facts;

/// <summary>The store's small Npgsql kit: pooled connections, commands, parameters and times.</summary>
internal sealed partial class PostgresFactsStore
{
    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _database.DataSource.OpenConnectionAsync(cancellationToken);

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    private static void AddArray<T>(NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, T[] values) =>
        parameters.AddWithValue(name, NpgsqlDbType.Array | type, values);

    private DateTimeOffset Now() => _time.GetUtcNow();

    /// <summary>timestamptz takes UTC only; a client's createdAt may carry any offset.</summary>
    private static DateTime Utc(DateTimeOffset time) => time.UtcDateTime;

    private static DateTime? Utc(DateTimeOffset? time) => time?.UtcDateTime;

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, which a post or an admin upload may carry and SQLite stores: it is stored as
    /// U+FFFD (one UTF-16 unit for one, so evidence offsets still point into the stored text; the content hash was taken
    /// of the text as sent). JSON bodies need nothing: the serializer escapes it and the json type keeps the escape.
    /// </summary>
    private static string Storable(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);

    private static string? NullableString(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
