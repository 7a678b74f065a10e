using System.Text.Json;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Microsoft.Data.Sqlite;

namespace Cluster.Grains.Storage;

public sealed partial class SqliteStore
{
    private const string DecisionColumns = "cursor, decision_id, platform, post_id, account, action, source, reviewer, decided_at, supersedes, body";

    public Task<IReadOnlyList<(long Cursor, DecisionRecord Decision)>> ReadFeedAsync(string platform, long after, int limit, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND cursor > $after ORDER BY cursor LIMIT $n",
            ("$pl", platform), ("$after", after), ("$n", limit));
        return Task.FromResult<IReadOnlyList<(long, DecisionRecord)>>(ReadDecisions(cmd));
    }

    public Task<DecisionRecord?> GetLatestAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND post_id = $id ORDER BY cursor DESC LIMIT 1",
            ("$pl", platform), ("$id", postId));
        var rows = ReadDecisions(cmd);
        return Task.FromResult(rows.Count == 0 ? null : rows[0].Decision);
    }

    public Task<IReadOnlyList<DecisionRecord>> GetAllAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND post_id = $id ORDER BY cursor",
            ("$pl", platform), ("$id", postId));
        return Task.FromResult<IReadOnlyList<DecisionRecord>>(ReadDecisions(cmd).Select(d => d.Decision).ToList());
    }

    private static List<(long Cursor, DecisionRecord Decision)> ReadDecisions(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<(long Cursor, DecisionRecord Decision)>();
        while (r.Read())
        {
            var body = JsonSerializer.Deserialize(r.GetString(10), GrainsJson.Default.DecisionBody)!;
            list.Add((r.GetInt64(0), new DecisionRecord(
                r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                NullableString(r, 7), FromUnixMs(r.GetInt64(8)), NullableString(r, 9),
                body.Labels, body.RiskScore, body.AccountStatus, body.Debunk)));
        }
        return list;
    }

    /// <summary>INSERT OR IGNORE on the decision id: a replayed turn re-emits the same id and writes nothing.</summary>
    private static void InsertDecisions(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<DecisionRecord> decisions)
    {
        if (decisions.Count == 0)
        {
            return;
        }
        using var insert = Command(c, tx, """
            INSERT OR IGNORE INTO decisions (decision_id, platform, post_id, account, action, source, reviewer, decided_at, supersedes, body)
            VALUES ($id, $pl, $post, $a, $action, $source, $reviewer, $at, $supersedes, $body)
            """, ("$id", ""), ("$pl", ""), ("$post", ""), ("$a", ""), ("$action", ""), ("$source", ""), ("$reviewer", null),
            ("$at", 0L), ("$supersedes", null), ("$body", ""));
        foreach (var d in decisions)
        {
            var body = JsonSerializer.Serialize(new DecisionBody(1, d.Labels, d.RiskScore, d.AccountStatus, d.Debunk), GrainsJson.Default.DecisionBody);
            Set(insert, ("$id", d.DecisionId), ("$pl", d.Platform), ("$post", d.PostId), ("$a", d.Account), ("$action", d.Action),
                ("$source", d.Source), ("$reviewer", d.Reviewer), ("$at", d.DecidedAt.ToUnixTimeMilliseconds()), ("$supersedes", d.Supersedes),
                ("$body", body));
            insert.ExecuteNonQuery();
        }
    }

    private static void InsertReviewItems(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<ReviewItemRecord> items)
    {
        if (items.Count == 0)
        {
            return;
        }
        using var insert = Command(c, tx, """
            INSERT OR IGNORE INTO review_items (id, platform, account, post_id, queue, priority, labels, machine_decision_id, status, created_at)
            VALUES ($id, $pl, $a, $post, $q, $prio, $labels, $mdid, 'pending', $at)
            """, ("$id", ""), ("$pl", ""), ("$a", ""), ("$post", ""), ("$q", ""), ("$prio", 0), ("$labels", ""), ("$mdid", ""), ("$at", 0L));
        foreach (var i in items)
        {
            Set(insert, ("$id", i.Id), ("$pl", i.Platform), ("$a", i.Account), ("$post", i.PostId), ("$q", i.Queue), ("$prio", i.Priority),
                ("$labels", JsonSerializer.Serialize(i.Labels.ToList(), GrainsJson.Default.ListDecisionLabel)), ("$mdid", i.MachineDecisionId),
                ("$at", i.CreatedAt.ToUnixTimeMilliseconds()));
            insert.ExecuteNonQuery();
        }
    }
}
