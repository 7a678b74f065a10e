using Cluster.Storage.Streams;

namespace Cluster.Storage.Sqlite;

/// <summary>Counts a SQLite stream provider's unacknowledged rows on a pooled read connection (never waits for the writer).</summary>
internal sealed class SqliteQueueBacklog(SqliteDatabase database, string provider) : IQueueBacklog
{
    public IReadOnlyDictionary<int, long> Read()
    {
        using var c = database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null,
            "SELECT queue, COUNT(*) FROM stream_message WHERE provider = $p AND delivered_at IS NULL GROUP BY queue");
        cmd.Parameters.AddWithValue("$p", provider);
        using var r = cmd.ExecuteReader();
        var backlog = new Dictionary<int, long>();
        while (r.Read())
        {
            backlog[r.GetInt32(0)] = r.GetInt64(1);
        }
        return backlog;
    }
}
