using Microsoft.Data.Sqlite;

namespace Cluster.Grains.Storage;

/// <summary>
/// Inbox pruning. A message at or below its partition's checkpoint is applied: the grain states, decisions and the
/// checkpoint that reflect it committed together (<see cref="FlushAsync"/>), so deleting it loses nothing. Messages
/// above the checkpoint are never touched, nor are dead-lettered ones (kept for an operator, with their payload).
/// </summary>
public sealed partial class SqliteStore
{
    /// <summary>Per partition, the highest seq below which every prunable row is gone (writer thread only).</summary>
    private readonly Dictionary<int, long> _prunedThrough = [];

    /// <summary>The partition the next pruning request starts at, so a pass spread over requests goes round once.</summary>
    private int _pruneNext;

    /// <summary>
    /// Deletes applied inbox rows enqueued at least <paramref name="retention"/> ago, as one request on the writer that
    /// goes through at most <paramref name="maxRows"/> of them. <c>More</c> says the bound was reached: call again.
    /// </summary>
    public Task<(int Deleted, bool More)> PruneInboxAsync(TimeSpan retention, int maxRows, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) =>
        {
            var cutoff = Now() - (long)retention.TotalMilliseconds;
            var checkpoints = new List<(int Partition, long Seq)>();
            using (var cmd = Command(c, tx, "SELECT partition, seq FROM checkpoint WHERE partition >= $from ORDER BY partition", ("$from", _pruneNext)))
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    checkpoints.Add((r.GetInt32(0), r.GetInt64(1)));
                }
            }
            var budget = maxRows;
            var deleted = 0;
            var advanced = new List<(int Partition, long Through)>();
            using var scan = Command(c, tx, """
                SELECT seq, enqueued_at FROM inbox WHERE partition = $p AND seq > $floor AND seq <= $cp ORDER BY seq LIMIT $n
                """, ("$p", 0), ("$floor", 0L), ("$cp", 0L), ("$n", 0));
            using var delete = Command(c, tx, """
                DELETE FROM inbox WHERE partition = $p AND seq > $floor AND seq <= $through
                AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.partition = $p AND d.seq = inbox.seq)
                """, ("$p", 0), ("$floor", 0L), ("$through", 0L));
            _pruneNext = 0;
            foreach (var (p, checkpoint) in checkpoints)
            {
                var floor = _prunedThrough.GetValueOrDefault(p);
                if (checkpoint <= floor)
                {
                    continue;
                }
                // Rows are read in seq order and the reader stops at the first one younger than the cutoff (enqueue
                // times rise with seq), so a pass reads what it deletes plus one row per partition.
                var through = floor;
                var rows = 0;
                Set(scan, ("$p", p), ("$floor", floor), ("$cp", checkpoint), ("$n", budget));
                using (var r = scan.ExecuteReader())
                {
                    while (r.Read() && r.GetInt64(1) <= cutoff)
                    {
                        through = r.GetInt64(0);
                        rows++;
                    }
                }
                if (rows == 0)
                {
                    continue;
                }
                Set(delete, ("$p", p), ("$floor", floor), ("$through", through));
                deleted += delete.ExecuteNonQuery();
                budget -= rows;
                advanced.Add((p, through));
                if (budget == 0)
                {
                    _pruneNext = p; // the next request continues here, past what this one deleted
                    break;
                }
            }
            AfterCommit(tx, () =>
            {
                foreach (var (p, through) in advanced)
                {
                    _prunedThrough[p] = through;
                }
            });
            return (deleted, budget == 0);
        }, cancellationToken);
}
