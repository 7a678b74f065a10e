using System.Text.Json;
using Cluster.Grains.Accounts;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres.Facts;

internal sealed partial class PostgresFactsStore
{
    private const string ItemColumns = "id, platform, account, post_id, version, queue, priority, labels, machine_decision_id, created_at";

    /// <summary>
    /// One statement: the best open items of the caller's queues are locked <c>FOR UPDATE SKIP LOCKED</c> (an item another
    /// reviewer's claim is taking is passed over, never waited for; one whose claim committed meanwhile is re-checked and
    /// dropped), leased to the caller, and returned with their posts, best first.
    /// </summary>
    private static string ClaimSql(string filter) => $"""
        WITH picked AS (
            SELECT id FROM review_items
            WHERE status IN ('{ReviewQueues.Pending}', '{ReviewQueues.Claimed}') AND (status = '{ReviewQueues.Pending}' OR lease_until <= @now) {filter}
            ORDER BY priority DESC, created_at, id
            LIMIT @max
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE review_items r SET status = '{ReviewQueues.Claimed}', claimed_by = @reviewer, lease_until = @until
            FROM picked WHERE r.id = picked.id
            RETURNING r.{ItemColumns.Replace(", ", ", r.", StringComparison.Ordinal)}
        )
        SELECT c.{ItemColumns.Replace(", ", ", c.", StringComparison.Ordinal)},
            p.account, p.kind, p.text, p.created_at, p.received_at, p.content_hash, p.version
        FROM claimed c LEFT JOIN posts p ON p.platform = c.platform AND p.post_id = c.post_id
        ORDER BY c.priority DESC, c.created_at, c.id
        """;

    private static readonly string ClaimOneQueueSql = ClaimSql("AND queue = @queue");
    private static readonly string ClaimQueuesSql = ClaimSql("AND queue = ANY(@queues)");
    private static readonly string ClaimAllButSeniorSql = ClaimSql($"AND queue <> '{ReviewQueues.Senior}'");
    private static readonly string ClaimAllSql = ClaimSql("");

    public async Task<IReadOnlyList<ClaimedItem>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var now = Now();
        var until = now + request.Lease;
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "", ("now", now), ("max", request.Max), ("reviewer", request.Reviewer), ("until", until));
        if (request.Queue is not null)
        {
            cmd.CommandText = ClaimOneQueueSql;
            cmd.Parameters.AddWithValue("queue", request.Queue);
        }
        else if (!request.Queues.Contains("*"))
        {
            cmd.CommandText = ClaimQueuesSql;
            AddArray(cmd.Parameters, "queues", NpgsqlDbType.Text, request.Queues.Concat(request.Senior ? [ReviewQueues.Senior] : []).ToArray());
        }
        else
        {
            cmd.CommandText = request.Senior ? ClaimAllSql : ClaimAllButSeniorSql;
        }
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var items = new List<ClaimedItem>();
        while (await r.ReadAsync(cancellationToken))
        {
            var item = ReadItem(r);
            var post = r.IsDBNull(10)
                ? null
                : new PostRecord(item.Platform, item.PostId, r.GetString(10), r.GetString(11), r.GetString(12), NullableTime(r, 13),
                    r.GetFieldValue<DateTimeOffset>(14), r.GetString(15), r.GetInt32(16));
            items.Add(new ClaimedItem(item, post, until, 0));
        }
        return items;
    }

    public async Task<(ReviewOutcome Outcome, ReviewVerdict? Verdict)> DecideAsync(
        string itemId, ReviewerScope reviewer, string verdict, Func<ReviewItemRecord, ReviewVerdict> toAccount, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var (outcome, item) = await HeldAsync(c, tx, itemId, reviewer, cancellationToken);
        if (outcome != ReviewOutcome.Done)
        {
            return (outcome, null);
        }
        var now = Now();
        // Durable with the item: a crash before the grain has it leaves it here for VerdictRedelivery.
        var message = toAccount(item!);
        await using var batch = new NpgsqlBatch(c, tx);
        var decide = new NpgsqlBatchCommand($"""
            UPDATE review_items SET status = '{ReviewQueues.Decided}', verdict = @v, decided_by = @r, decided_at = @now, claimed_by = NULL, lease_until = NULL
            WHERE id = @id
            """);
        decide.Parameters.AddWithValue("v", verdict);
        decide.Parameters.AddWithValue("r", reviewer.Reviewer);
        decide.Parameters.AddWithValue("now", now);
        decide.Parameters.AddWithValue("id", itemId);
        batch.BatchCommands.Add(decide);
        var pending = new NpgsqlBatchCommand("""
            INSERT INTO pending_verdicts (item_id, platform, account, payload, created_at) VALUES (@id, @pl, @a, @payload, @now)
            ON CONFLICT DO NOTHING
            """);
        pending.Parameters.AddWithValue("id", itemId);
        pending.Parameters.AddWithValue("pl", message.Platform);
        pending.Parameters.AddWithValue("a", message.Account);
        pending.Parameters.AddWithValue("payload", NpgsqlDbType.Json, JsonSerializer.Serialize(message, GrainsJson.Default.ReviewVerdict));
        pending.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(pending);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (ReviewOutcome.Done, message);
    }

    public async Task MarkVerdictAppliedAsync(string itemId, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "DELETE FROM pending_verdicts WHERE item_id = @id", ("id", itemId));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ReviewVerdict>> UnappliedVerdictsAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT payload FROM pending_verdicts WHERE created_at <= @cut ORDER BY created_at LIMIT @n",
            ("cut", Now() - olderThan), ("n", max));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ReviewVerdict>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(JsonSerializer.Deserialize(r.GetString(0), GrainsJson.Default.ReviewVerdict)!);
        }
        return list;
    }

    public Task<ReviewOutcome> EscalateAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken) =>
        ChangeHeldAsync(itemId, reviewer, $"""
            UPDATE review_items SET queue = '{ReviewQueues.Senior}', status = '{ReviewQueues.Pending}', claimed_by = NULL, lease_until = NULL,
                priority = priority + 10
            WHERE id = @id
            """, cancellationToken);

    public Task<ReviewOutcome> ReleaseAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken) =>
        ChangeHeldAsync(itemId, reviewer, $"UPDATE review_items SET status = '{ReviewQueues.Pending}', claimed_by = NULL, lease_until = NULL WHERE id = @id",
            cancellationToken);

    public async Task<IReadOnlyList<QueueStats>> QueueStatsAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, $"""
            SELECT queue,
                count(*) FILTER (WHERE status = '{ReviewQueues.Pending}' OR lease_until <= @now),
                min(created_at) FILTER (WHERE status = '{ReviewQueues.Pending}' OR lease_until <= @now),
                count(*) FILTER (WHERE status = '{ReviewQueues.Claimed}' AND lease_until > @now)
            FROM review_items WHERE status IN ('{ReviewQueues.Pending}', '{ReviewQueues.Claimed}')
            GROUP BY queue ORDER BY queue COLLATE "C"
            """, ("now", now));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<QueueStats>();
        while (await r.ReadAsync(cancellationToken))
        {
            var oldest = r.IsDBNull(2) ? 0 : (now - r.GetFieldValue<DateTimeOffset>(2)).TotalSeconds;
            list.Add(new QueueStats(r.GetString(0), (int)r.GetInt64(1), oldest, (int)r.GetInt64(3)));
        }
        return list;
    }

    /// <summary>Runs <paramref name="sql"/> (parameter @id) on the item if the reviewer holds it, in one transaction with the check.</summary>
    private async Task<ReviewOutcome> ChangeHeldAsync(string itemId, ReviewerScope reviewer, string sql, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        var (outcome, _) = await HeldAsync(c, tx, itemId, reviewer, cancellationToken);
        if (outcome != ReviewOutcome.Done)
        {
            return outcome;
        }
        await using (var cmd = Command(c, tx, sql, ("id", itemId)))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>
    /// The item, locked until the transaction ends, if it exists within <paramref name="reviewer"/>'s queues and they
    /// hold an unexpired lease on it. An item outside their queues is <see cref="ReviewOutcome.NotFound"/>, the same as
    /// a missing one, so a reviewer cannot learn that it exists; a superseded or decided item is simply not held.
    /// </summary>
    private async Task<(ReviewOutcome, ReviewItemRecord?)> HeldAsync(NpgsqlConnection c, NpgsqlTransaction tx, string itemId, ReviewerScope reviewer,
        CancellationToken cancellationToken)
    {
        await using var cmd = Command(c, tx, $"SELECT {ItemColumns}, status, claimed_by, lease_until FROM review_items WHERE id = @id FOR UPDATE", ("id", itemId));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken) || !reviewer.MaySee(r.GetString(5)))
        {
            return (ReviewOutcome.NotFound, null);
        }
        var held = r.GetString(10) == ReviewQueues.Claimed && NullableString(r, 11) == reviewer.Reviewer && NullableTime(r, 12) > Now();
        return held ? (ReviewOutcome.Done, ReadItem(r)) : (ReviewOutcome.NotHeld, null);
    }

    /// <summary>An item from the first ten columns, in the order of <see cref="ItemColumns"/>.</summary>
    private static ReviewItemRecord ReadItem(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), r.GetInt32(6),
            JsonSerializer.Deserialize(r.GetString(7), GrainsJson.Default.ListDecisionLabel)!, r.GetString(8), r.GetFieldValue<DateTimeOffset>(9));
}
