using Npgsql;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>The first column of every row a query returns, on a connection of its own: what a test reads back.</summary>
internal static class PostgresQuery
{
    public static List<T> Column<T>(string connectionString, string sql)
    {
        using var c = new NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(r.GetFieldValue<T>(0));
        }
        return list;
    }
}
