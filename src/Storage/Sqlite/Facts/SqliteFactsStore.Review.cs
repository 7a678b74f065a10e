using System.Text;
using System.Text.Json;
using Cluster.Grains.Accounts;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Sqlite.Facts;

public sealed partial class SqliteFactsStore
{
    public async Task<IReadOnlyList<ClaimedItem>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var items = await WriteAsync((c, tx) =>
        {
            var now = Now();
            var until = now + (long)request.Lease.TotalMilliseconds;
            var parameters = new List<(string, object?)> { ("$now", now), ("$max", request.Max) };
            var sql = new StringBuilder("""
                SELECT id, platform, account, post_id, queue, priority, labels, machine_decision_id, created_at, version FROM review_items
                WHERE (status = 'pending' OR (status = 'claimed' AND lease_until <= $now))
                """);
            if (request.Queue is not null)
            {
                sql.Append(" AND queue = $q");
                parameters.Add(("$q", request.Queue));
            }
            else if (!request.Queues.Contains("*"))
            {
                var names = request.Queues.Concat(request.Senior ? [ReviewQueues.Senior] : []).ToList();
                sql.Append(" AND queue IN (").Append(string.Join(", ", names.Select((_, i) => "$q" + i))).Append(')');
                parameters.AddRange(names.Select((n, i) => ("$q" + i, (object?)n)));
            }
            else if (!request.Senior)
            {
                sql.Append(" AND queue <> 'senior'");
            }
            sql.Append(" ORDER BY priority DESC, created_at LIMIT $max");

            var claimed = new List<(ReviewItemRecord, DateTimeOffset)>();
            using (var select = Command(c, tx, sql.ToString(), parameters.ToArray()))
            using (var r = select.ExecuteReader())
            {
                while (r.Read())
                {
                    claimed.Add((ReadItem(r), FromUnixMs(until)));
                }
            }
            using var update = Command(c, tx, "UPDATE review_items SET status = 'claimed', claimed_by = $r, lease_until = $until WHERE id = $id",
                ("$r", request.Reviewer), ("$until", until), ("$id", ""));
            foreach (var (item, _) in claimed)
            {
                Set(update, ("$id", item.Id));
                update.ExecuteNonQuery();
            }
            return claimed;
        }, cancellationToken);

        using var read = OpenRead();
        return items.Select(x => new ClaimedItem(x.Item1, ReadPost(read, x.Item1.Platform, x.Item1.PostId), x.Item2, 0)).ToList();
    }

    public Task<(ReviewOutcome Outcome, ReviewVerdict? Verdict)> DecideAsync(
        string itemId, ReviewerScope reviewer, string verdict, Func<ReviewItemRecord, ReviewVerdict> toAccount, CancellationToken cancellationToken) =>
        WriteAsync<(ReviewOutcome, ReviewVerdict?)>((c, tx) =>
        {
            var (outcome, item) = Held(c, tx, itemId, reviewer);
            if (outcome != ReviewOutcome.Done)
            {
                return (outcome, null);
            }
            Execute(c, tx, """
                UPDATE review_items SET status = 'decided', verdict = $v, decided_by = $r, decided_at = $now, claimed_by = NULL, lease_until = NULL
                WHERE id = $id
                """, ("$v", verdict), ("$r", reviewer.Reviewer), ("$now", Now()), ("$id", itemId));
            // Durable with the item: a crash before the grain has it leaves it here for VerdictRedelivery.
            var message = toAccount(item!);
            Execute(c, tx, """
                INSERT OR IGNORE INTO pending_verdicts (item_id, platform, account, payload, created_at) VALUES ($id, $pl, $a, $payload, $now)
                """, ("$id", itemId), ("$pl", message.Platform), ("$a", message.Account),
                ("$payload", JsonSerializer.Serialize(message, GrainsJson.Default.ReviewVerdict)), ("$now", Now()));
            return (ReviewOutcome.Done, message);
        }, cancellationToken);

    public Task MarkVerdictAppliedAsync(string itemId, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM pending_verdicts WHERE item_id = $id", ("$id", itemId)), cancellationToken);

    public Task<IReadOnlyList<ReviewVerdict>> UnappliedVerdictsAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT payload FROM pending_verdicts WHERE created_at <= $cut ORDER BY created_at LIMIT $n",
            ("$cut", Now() - (long)olderThan.TotalMilliseconds), ("$n", max));
        using var r = cmd.ExecuteReader();
        var list = new List<ReviewVerdict>();
        while (r.Read())
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), GrainsJson.Default.ReviewVerdict)!);
        }
        return Task.FromResult<IReadOnlyList<ReviewVerdict>>(list);
    }

    public Task<ReviewOutcome> EscalateAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) =>
        {
            var (outcome, _) = Held(c, tx, itemId, reviewer);
            if (outcome == ReviewOutcome.Done)
            {
                Execute(c, tx, """
                    UPDATE review_items SET queue = 'senior', status = 'pending', claimed_by = NULL, lease_until = NULL, priority = priority + 10
                    WHERE id = $id
                    """, ("$id", itemId));
            }
            return outcome;
        }, cancellationToken);

    public Task<ReviewOutcome> ReleaseAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) =>
        {
            var (outcome, _) = Held(c, tx, itemId, reviewer);
            if (outcome == ReviewOutcome.Done)
            {
                Execute(c, tx, "UPDATE review_items SET status = 'pending', claimed_by = NULL, lease_until = NULL WHERE id = $id", ("$id", itemId));
            }
            return outcome;
        }, cancellationToken);

    public Task<IReadOnlyList<QueueStats>> QueueStatsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        var now = Now();
        using var cmd = Command(c, null, """
            SELECT queue,
                   SUM(CASE WHEN status = 'pending' OR (status = 'claimed' AND lease_until <= $now) THEN 1 ELSE 0 END),
                   MIN(CASE WHEN status = 'pending' OR (status = 'claimed' AND lease_until <= $now) THEN created_at END),
                   SUM(CASE WHEN status = 'claimed' AND lease_until > $now THEN 1 ELSE 0 END)
            FROM review_items WHERE status IN ('pending', 'claimed') GROUP BY queue ORDER BY queue
            """, ("$now", now));
        using var r = cmd.ExecuteReader();
        var list = new List<QueueStats>();
        while (r.Read())
        {
            var oldest = r.IsDBNull(2) ? 0 : (now - r.GetInt64(2)) / 1000.0;
            list.Add(new QueueStats(r.GetString(0), r.GetInt32(1), oldest, r.GetInt32(3)));
        }
        return Task.FromResult<IReadOnlyList<QueueStats>>(list);
    }

    /// <summary>
    /// The item, if it exists within <paramref name="reviewer"/>'s queues and they hold an unexpired lease on it. An
    /// item outside their queues is <see cref="ReviewOutcome.NotFound"/>, the same as a missing one, so a reviewer
    /// cannot learn that it exists; a superseded or decided item is simply not held.
    /// </summary>
    private (ReviewOutcome, ReviewItemRecord?) Held(SqliteConnection c, SqliteTransaction tx, string itemId, ReviewerScope reviewer)
    {
        using var cmd = Command(c, tx, """
            SELECT id, platform, account, post_id, queue, priority, labels, machine_decision_id, created_at, version, status, claimed_by, lease_until
            FROM review_items WHERE id = $id
            """, ("$id", itemId));
        using var r = cmd.ExecuteReader();
        if (!r.Read() || !reviewer.MaySee(r.GetString(4)))
        {
            return (ReviewOutcome.NotFound, null);
        }
        var held = r.GetString(10) == ReviewQueues.Claimed && NullableString(r, 11) == reviewer.Reviewer && !r.IsDBNull(12) && r.GetInt64(12) > Now();
        return held ? (ReviewOutcome.Done, ReadItem(r)) : (ReviewOutcome.NotHeld, null);
    }

    private static ReviewItemRecord ReadItem(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(9), r.GetString(4), r.GetInt32(5),
            JsonSerializer.Deserialize(r.GetString(6), GrainsJson.Default.ListDecisionLabel)!, r.GetString(7), FromUnixMs(r.GetInt64(8)));
}
