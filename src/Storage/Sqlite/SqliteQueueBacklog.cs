using Cluster.Storage.Streams;

namespace Cluster.Storage.Sqlite;

/// <summary>Counts a SQLite stream provider's unacknowledged rows on a pooled read connection (never waits for the writer).</summary>
internal sealed class SqliteQueueBacklog(SqliteDatabase database, string provider) : IQueueBacklog
{
    public IReadOnlyDictionary<int, long> Read() =>
        Pairs("SELECT queue, COUNT(*) FROM stream_message WHERE provider = $p AND delivered_at IS NULL GROUP BY queue");

    public IReadOnlyDictionary<int, long> Marks() => Pairs("SELECT queue, last FROM queue_seq WHERE provider = $p");

    /// <summary>One count per queue with a backlog (one silo: after ingest closed, that is every stored row).</summary>
    public long Unacknowledged(IReadOnlyDictionary<int, long> marks)
    {
        var pending = 0L;
        foreach (var queue in Read().Keys)
        {
            if (marks.TryGetValue(queue, out var mark))
            {
                pending += CountUpTo(queue, mark);
            }
        }
        return pending;
    }

    private long CountUpTo(int queue, long mark)
    {
        using var c = database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null,
            "SELECT COUNT(*) FROM stream_message WHERE provider = $p AND queue = $q AND seq <= $mark AND delivered_at IS NULL");
        cmd.Parameters.AddWithValue("$p", provider);
        cmd.Parameters.AddWithValue("$q", queue);
        cmd.Parameters.AddWithValue("$mark", mark);
        return (long)cmd.ExecuteScalar()!;
    }

    private Dictionary<int, long> Pairs(string sql)
    {
        using var c = database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null, sql);
        cmd.Parameters.AddWithValue("$p", provider);
        using var r = cmd.ExecuteReader();
        var pairs = new Dictionary<int, long>();
        while (r.Read())
        {
            pairs[r.GetInt32(0)] = r.GetInt64(1);
        }
        return pairs;
    }
}
