using System.Text.Json;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Cluster.Storage.Sqlite.Facts;
using Npgsql;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres.Facts;

internal sealed partial class PostgresFactsStore
{
    private const string DecisionColumns = "feed_pos, decision_id, platform, post_id, account, action, source, reviewer, decided_at, supersedes, body, version";

    /// <summary>
    /// One statement for all decisions of a group: ids already stored (or repeated in the group) are dropped and take
    /// no position; each platform's positions are allocated for the rest in one upsert of feed_seq, platforms in
    /// ascending byte order, inside this transaction (the row locks are held to commit, so per platform the commit order is
    /// the position order); a decision that names no supersedes and is not a version 1 supersedes the decision then in
    /// force for its post, which is an earlier one of the same group if there is one (<c>lag</c>), else the stored one
    /// with the highest position. The same rules as the embedded store's loop, one round trip.
    /// </summary>
    private const string InsertDecisionsSql = """
        WITH input AS (
            SELECT DISTINCT ON (t.id) t.*
            FROM unnest(@id, @platform, @post, @version, @account, @action, @source, @reviewer, @at, @supersedes, @body)
                WITH ORDINALITY AS t(id, platform, post_id, version, account, action, source, reviewer, decided_at, supersedes, body, ord)
            ORDER BY t.id, t.ord
        ), fresh AS (
            SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.decision_id = i.id)
        ), counts AS (
            SELECT platform, count(*) AS n FROM fresh GROUP BY platform
        ), allocated AS (
            INSERT INTO feed_seq AS s (platform, last)
            SELECT platform, n FROM counts ORDER BY platform COLLATE "C"
            ON CONFLICT (platform) DO UPDATE SET last = s.last + excluded.last
            RETURNING s.platform, s.last
        ), numbered AS (
            SELECT f.*,
                a.last - c.n + row_number() OVER (PARTITION BY f.platform ORDER BY f.ord) AS pos,
                lag(f.id) OVER (PARTITION BY f.platform, f.post_id ORDER BY f.ord) AS previous
            FROM fresh f JOIN counts c ON c.platform = f.platform JOIN allocated a ON a.platform = f.platform
        )
        INSERT INTO decisions (platform, feed_pos, decision_id, post_id, version, account, action, source, reviewer, decided_at, supersedes, body)
        SELECT n.platform, n.pos, n.id, n.post_id, n.version, n.account, n.action, n.source, n.reviewer, n.decided_at,
            COALESCE(n.supersedes, CASE WHEN n.version > 1 THEN COALESCE(n.previous,
                (SELECT d.decision_id FROM decisions d WHERE d.platform = n.platform AND d.post_id = n.post_id ORDER BY d.feed_pos DESC LIMIT 1)) END),
            n.body
        FROM numbered n
        ON CONFLICT (decision_id) DO NOTHING
        RETURNING decision_id, supersedes
        """;

    /// <summary>
    /// Review items, ignoring ids already stored. An item for a version older than its post's current one (decided after
    /// the edit was accepted) is born superseded. The posts are read <c>FOR SHARE</c>, in ascending byte order: an edit
    /// committing meanwhile either commits first (this statement waits for it and sees the new version) or waits for this
    /// transaction (and its own supersede statement, which runs later, then sees the item and closes it). Without the
    /// lock, an item could be inserted pending for a version an edit had just replaced.
    /// </summary>
    private const string InsertReviewItemsSql = """
        WITH input AS (
            SELECT * FROM unnest(@id, @platform, @account, @post, @version, @queue, @priority, @labels, @decision, @at)
                AS t(id, platform, account, post_id, version, queue, priority, labels, machine_decision_id, created_at)
        ), current AS MATERIALIZED (
            SELECT p.platform, p.post_id, p.version FROM posts p
            WHERE (p.platform, p.post_id) IN (SELECT platform, post_id FROM input)
            ORDER BY p.platform COLLATE "C", p.post_id COLLATE "C"
            FOR SHARE
        )
        INSERT INTO review_items (id, platform, account, post_id, version, queue, priority, labels, machine_decision_id, status, created_at)
        SELECT i.id, i.platform, i.account, i.post_id, i.version, i.queue, i.priority, i.labels, i.machine_decision_id,
            CASE WHEN c.version > i.version THEN 'superseded' ELSE 'pending' END, i.created_at
        FROM input i LEFT JOIN current c ON c.platform = i.platform AND c.post_id = i.post_id
        ON CONFLICT (id) DO NOTHING
        """;

    /// <summary>The notification channel of stored decisions; the payload is the platform (<see cref="PostgresFeedListener"/>).</summary>
    public const string FeedChannel = "cluster_feed";

    public event Action<IReadOnlyList<DecisionRecord>>? Recorded;

    /// <summary>Through the state writer's grouping like a staged write, without a state: one transaction with other grains' writes.</summary>
    public Task RecordAsync(IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems, CancellationToken cancellationToken) =>
        decisions.Count == 0 && reviewItems.Count == 0
            ? Task.CompletedTask
            : _database.StateWrites.RecordAsync(new GrainFacts(decisions, reviewItems));

    /// <summary>
    /// The inserts of a group of grains' facts inside a state writer request (one batch, one round trip); returns the
    /// decisions newly stored, with the supersedes they got, for <see cref="RaiseRecorded"/> after the commit.
    /// </summary>
    internal List<DecisionRecord> InsertFacts(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<GrainFacts> facts)
    {
        var decisions = facts.SelectMany(static f => f.Decisions).ToList();
        var items = facts.SelectMany(static f => f.ReviewItems).ToList();
        var fresh = new List<DecisionRecord>(decisions.Count);
        if (decisions.Count == 0 && items.Count == 0)
        {
            return fresh;
        }
        using var batch = new NpgsqlBatch(c, tx);
        if (decisions.Count > 0)
        {
            batch.BatchCommands.Add(DecisionsCommand(decisions));
        }
        if (items.Count > 0)
        {
            batch.BatchCommands.Add(ReviewItemsCommand(items));
        }
        if (decisions.Count > 0)
        {
            // Delivered at commit to every silo's listener; a replayed decision's platform costs a reader one query.
            var notify = new NpgsqlBatchCommand($"SELECT pg_notify('{FeedChannel}', p) FROM unnest(@platforms) AS p");
            AddArray(notify.Parameters, "platforms", NpgsqlDbType.Text, decisions.Select(static d => d.Platform).Distinct(StringComparer.Ordinal).ToArray());
            batch.BatchCommands.Add(notify);
        }
        using var r = batch.ExecuteReader();
        if (decisions.Count > 0)
        {
            var stored = new Dictionary<string, string?>(StringComparer.Ordinal);
            while (r.Read())
            {
                stored[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
            }
            foreach (var d in decisions)
            {
                // Remove: an id repeated in the group is stored once and reported once.
                if (stored.Remove(d.DecisionId, out var supersedes))
                {
                    fresh.Add(d with { Supersedes = supersedes });
                }
            }
        }
        return fresh;
    }

    /// <summary>Raises <see cref="Recorded"/> for decisions an <see cref="InsertFacts"/> stored, once committed.</summary>
    internal void RaiseRecorded(List<DecisionRecord> stored)
    {
        if (stored.Count > 0)
        {
            Recorded?.Invoke(stored);
        }
    }

    public async Task<IReadOnlyList<(long Cursor, DecisionRecord Decision)>> ReadFeedAsync(string platform, long after, int limit, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = @pl AND feed_pos > @after ORDER BY feed_pos LIMIT @n",
            ("pl", platform), ("after", after), ("n", limit));
        return await ReadDecisionsAsync(cmd, cancellationToken);
    }

    public async Task<DecisionRecord?> GetLatestAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null,
            $"SELECT {DecisionColumns} FROM decisions WHERE platform = @pl AND post_id = @id ORDER BY feed_pos DESC LIMIT 1", ("pl", platform), ("id", postId));
        var rows = await ReadDecisionsAsync(cmd, cancellationToken);
        return rows.Count == 0 ? null : rows[0].Decision;
    }

    public async Task<IReadOnlyList<DecisionRecord>> GetAllAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null,
            $"SELECT {DecisionColumns} FROM decisions WHERE platform = @pl AND post_id = @id ORDER BY feed_pos", ("pl", platform), ("id", postId));
        return (await ReadDecisionsAsync(cmd, cancellationToken)).Select(static d => d.Decision).ToList();
    }

    private static async Task<List<(long Cursor, DecisionRecord Decision)>> ReadDecisionsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<(long Cursor, DecisionRecord Decision)>();
        while (await r.ReadAsync(cancellationToken))
        {
            var body = JsonSerializer.Deserialize(r.GetString(10), FactsJson.Default.DecisionBody)!;
            list.Add((r.GetInt64(0), new DecisionRecord(
                r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(11), r.GetString(4), r.GetString(5), r.GetString(6),
                NullableString(r, 7), r.GetFieldValue<DateTimeOffset>(8), NullableString(r, 9),
                body.Labels, body.RiskScore, body.AccountStatus, body.Debunk, body.Policy)));
        }
        return list;
    }

    private static NpgsqlBatchCommand DecisionsCommand(List<DecisionRecord> decisions)
    {
        var cmd = new NpgsqlBatchCommand(InsertDecisionsSql);
        var p = cmd.Parameters;
        AddArray(p, "id", NpgsqlDbType.Text, decisions.Select(static d => d.DecisionId).ToArray());
        AddArray(p, "platform", NpgsqlDbType.Text, decisions.Select(static d => d.Platform).ToArray());
        AddArray(p, "post", NpgsqlDbType.Text, decisions.Select(static d => d.PostId).ToArray());
        AddArray(p, "version", NpgsqlDbType.Integer, decisions.Select(static d => d.Version).ToArray());
        AddArray(p, "account", NpgsqlDbType.Text, decisions.Select(static d => d.Account).ToArray());
        AddArray(p, "action", NpgsqlDbType.Text, decisions.Select(static d => d.Action).ToArray());
        AddArray(p, "source", NpgsqlDbType.Text, decisions.Select(static d => d.Source).ToArray());
        AddArray(p, "reviewer", NpgsqlDbType.Text, decisions.Select(static d => d.Reviewer).ToArray());
        AddArray(p, "at", NpgsqlDbType.TimestampTz, decisions.Select(static d => Utc(d.DecidedAt)).ToArray());
        AddArray(p, "supersedes", NpgsqlDbType.Text, decisions.Select(static d => d.Supersedes).ToArray());
        AddArray(p, "body", NpgsqlDbType.Json, decisions.Select(static d =>
            JsonSerializer.Serialize(DecisionBody.Of(d), FactsJson.Default.DecisionBody)).ToArray());
        return cmd;
    }

    private static NpgsqlBatchCommand ReviewItemsCommand(List<ReviewItemRecord> items)
    {
        var cmd = new NpgsqlBatchCommand(InsertReviewItemsSql);
        var p = cmd.Parameters;
        AddArray(p, "id", NpgsqlDbType.Text, items.Select(static i => i.Id).ToArray());
        AddArray(p, "platform", NpgsqlDbType.Text, items.Select(static i => i.Platform).ToArray());
        AddArray(p, "account", NpgsqlDbType.Text, items.Select(static i => i.Account).ToArray());
        AddArray(p, "post", NpgsqlDbType.Text, items.Select(static i => i.PostId).ToArray());
        AddArray(p, "version", NpgsqlDbType.Integer, items.Select(static i => i.Version).ToArray());
        AddArray(p, "queue", NpgsqlDbType.Text, items.Select(static i => i.Queue).ToArray());
        AddArray(p, "priority", NpgsqlDbType.Integer, items.Select(static i => i.Priority).ToArray());
        AddArray(p, "labels", NpgsqlDbType.Json, items.Select(static i => JsonSerializer.Serialize(i.Labels.ToList(), GrainsJson.Default.ListDecisionLabel)).ToArray());
        AddArray(p, "decision", NpgsqlDbType.Text, items.Select(static i => i.MachineDecisionId).ToArray());
        AddArray(p, "at", NpgsqlDbType.TimestampTz, items.Select(static i => Utc(i.CreatedAt)).ToArray());
        return cmd;
    }
}
