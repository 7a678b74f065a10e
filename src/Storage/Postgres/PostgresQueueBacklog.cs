using Cluster.Storage.Streams;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Counts a PostgreSQL stream provider's unacknowledged rows on a pooled connection. The counts are the cluster's: every
/// silo reads the same queues, so every silo's /metrics reports the same inbox lag, and a draining silo waits for the
/// rows stored before its drain began, whichever silo's pulling agent delivers them.
/// </summary>
internal sealed class PostgresQueueBacklog(PostgresDatabase database, string provider) : IQueueBacklog
{
    public IReadOnlyDictionary<int, long> Read() =>
        Pairs("SELECT queue, count(*) FROM stream_message WHERE provider = @p AND delivered_at IS NULL GROUP BY queue");

    public IReadOnlyDictionary<int, long> Marks() => Pairs("SELECT queue, last FROM queue_seq WHERE provider = @p");

    public long Unacknowledged(IReadOnlyDictionary<int, long> marks)
    {
        using var c = database.DataSource.OpenConnection();
        using var cmd = PostgresDatabase.Command(c, null, """
            SELECT count(*) FROM stream_message m JOIN unnest(@queues, @marks) AS t(queue, mark) ON m.queue = t.queue AND m.seq <= t.mark
            WHERE m.provider = @p AND m.delivered_at IS NULL
            """);
        cmd.Parameters.AddWithValue("p", provider);
        cmd.Parameters.AddWithValue("queues", NpgsqlDbType.Array | NpgsqlDbType.Integer, marks.Keys.ToArray());
        cmd.Parameters.AddWithValue("marks", NpgsqlDbType.Array | NpgsqlDbType.Bigint, marks.Values.ToArray());
        return (long)cmd.ExecuteScalar()!;
    }

    private Dictionary<int, long> Pairs(string sql)
    {
        using var c = database.DataSource.OpenConnection();
        using var cmd = PostgresDatabase.Command(c, null, sql);
        cmd.Parameters.AddWithValue("p", provider);
        using var r = cmd.ExecuteReader();
        var pairs = new Dictionary<int, long>();
        while (r.Read())
        {
            pairs[r.GetInt32(0)] = r.GetInt64(1);
        }
        return pairs;
    }
}
