using System.Text.Json;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Sqlite.Facts;

public sealed partial class SqliteFactsStore
{
    private const string DecisionColumns = "feed_pos, decision_id, platform, post_id, account, action, source, reviewer, decided_at, supersedes, body, version";

    public event Action<IReadOnlyList<DecisionRecord>>? Recorded;

    public async Task RecordAsync(IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems, CancellationToken cancellationToken)
    {
        var facts = Prepare(decisions, reviewItems);
        var stored = await WriteAsync((c, tx) => InsertFacts(tx, facts), cancellationToken);
        RaiseRecorded(stored);
    }

    /// <summary>
    /// The facts with their JSON columns serialized, outside the writer request: the one writer thread only binds and
    /// steps statements.
    /// </summary>
    internal static PreparedFacts Prepare(IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems)
    {
        var bodies = new string[decisions.Count];
        for (var i = 0; i < decisions.Count; i++)
        {
            var d = decisions[i];
            bodies[i] = JsonSerializer.Serialize(DecisionBody.Of(d), FactsJson.Default.DecisionBody);
        }
        var labels = new string[reviewItems.Count];
        for (var i = 0; i < reviewItems.Count; i++)
        {
            labels[i] = JsonSerializer.Serialize(reviewItems[i].Labels.ToList(), GrainsJson.Default.ListDecisionLabel);
        }
        return new PreparedFacts(decisions, bodies, reviewItems, labels);
    }

    /// <summary>
    /// The inserts of <see cref="RecordAsync"/> inside a writer request of the same database, for a request that writes
    /// them with more (the grain storage writes an account's staged facts with its state); returns the decisions newly
    /// stored, for <see cref="RaiseRecorded"/> after the commit.
    /// </summary>
    internal List<DecisionRecord> InsertFacts(SqliteTransaction tx, PreparedFacts facts)
    {
        var fresh = InsertDecisions(tx, facts);
        InsertReviewItems(tx, facts);
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

    public Task<IReadOnlyList<(long Cursor, DecisionRecord Decision)>> ReadFeedAsync(string platform, long after, int limit, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND feed_pos > $after ORDER BY feed_pos LIMIT $n",
            ("$pl", platform), ("$after", after), ("$n", limit));
        return Task.FromResult<IReadOnlyList<(long, DecisionRecord)>>(ReadDecisions(cmd));
    }

    public Task<DecisionRecord?> GetLatestAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND post_id = $id ORDER BY feed_pos DESC LIMIT 1",
            ("$pl", platform), ("$id", postId));
        var rows = ReadDecisions(cmd);
        return Task.FromResult(rows.Count == 0 ? null : rows[0].Decision);
    }

    public Task<IReadOnlyList<DecisionRecord>> GetAllAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, $"SELECT {DecisionColumns} FROM decisions WHERE platform = $pl AND post_id = $id ORDER BY feed_pos",
            ("$pl", platform), ("$id", postId));
        return Task.FromResult<IReadOnlyList<DecisionRecord>>(ReadDecisions(cmd).Select(d => d.Decision).ToList());
    }

    private static List<(long Cursor, DecisionRecord Decision)> ReadDecisions(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<(long Cursor, DecisionRecord Decision)>();
        while (r.Read())
        {
            var body = JsonSerializer.Deserialize(r.GetString(10), FactsJson.Default.DecisionBody)!;
            list.Add((r.GetInt64(0), new DecisionRecord(
                r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(11), r.GetString(4), r.GetString(5), r.GetString(6),
                NullableString(r, 7), FromUnixMs(r.GetInt64(8)), NullableString(r, 9),
                body.Labels, body.RiskScore, body.AccountStatus, body.Debunk, body.Policy)));
        }
        return list;
    }

    /// <summary>
    /// A replayed delivery re-emits the same id and writes nothing (the insert does nothing on that id). A new row gets
    /// the next position of its platform's feed and, if it names none, supersedes the decision then in force for its
    /// post. All decisions of a post come from one grain, in stream order, so that is the previous version's last one.
    /// <para>
    /// A position is one more than the platform's highest stored one, read inside the writing transaction, which holds
    /// the file's write lock: transactions commit one after another, each above every position committed before it, so
    /// a reader past position p never misses a row committed later with a lower one (what a sequence handed out before
    /// commit could do). It holds for any number of writers on the file (two silos of a test share one). Decisions are
    /// never deleted, so a position is never handed out twice.
    /// </para>
    /// </summary>
    private List<DecisionRecord> InsertDecisions(SqliteTransaction tx, PreparedFacts facts)
    {
        var decisions = facts.Decisions;
        var stored = new List<DecisionRecord>(decisions.Count);
        if (decisions.Count == 0)
        {
            return stored;
        }
        var inForce = Prepared(tx, "SELECT decision_id FROM decisions WHERE platform = $pl AND post_id = $post ORDER BY feed_pos DESC LIMIT 1",
            ("$pl", ""), ("$post", ""));
        var insert = Prepared(tx, """
            INSERT INTO decisions (decision_id, platform, post_id, version, account, action, source, reviewer, decided_at, supersedes, body, feed_pos)
            VALUES ($id, $pl, $post, $v, $a, $action, $source, $reviewer, $at, $supersedes, $body, $pos)
            ON CONFLICT (decision_id) DO NOTHING
            """, ("$id", ""), ("$pl", ""), ("$post", ""), ("$v", 0), ("$a", ""), ("$action", ""), ("$source", ""), ("$reviewer", null),
            ("$at", 0L), ("$supersedes", null), ("$body", ""), ("$pos", 0L));
        for (var i = 0; i < decisions.Count; i++)
        {
            var d = decisions[i];
            var supersedes = d.Supersedes;
            if (supersedes is null && d.Version > 1)
            {
                Set(inForce, ("$pl", d.Platform), ("$post", d.PostId));
                supersedes = inForce.ExecuteScalar() as string;
            }
            var pos = NextFeedPosition(tx, d.Platform);
            var body = facts.DecisionBodies[i];
            Set(insert, ("$id", d.DecisionId), ("$pl", d.Platform), ("$post", d.PostId), ("$v", d.Version), ("$a", d.Account), ("$action", d.Action),
                ("$source", d.Source), ("$reviewer", d.Reviewer), ("$at", d.DecidedAt.ToUnixTimeMilliseconds()), ("$supersedes", supersedes),
                ("$body", body), ("$pos", pos));
            if (insert.ExecuteNonQuery() == 0)
            {
                continue; // a replay: stored before
            }
            stored.Add(d with { Supersedes = supersedes });
        }
        return stored;
    }

    /// <summary>The next feed position of <paramref name="platform"/>, inside the writing transaction (see <see cref="InsertDecisions"/>).</summary>
    private long NextFeedPosition(SqliteTransaction tx, string platform) =>
        (long)Prepared(tx, "SELECT COALESCE(MAX(feed_pos), 0) + 1 FROM decisions WHERE platform = $pl", ("$pl", platform)).ExecuteScalar()!;

    /// <summary>
    /// INSERT OR IGNORE on the item id (replays). An item for a version older than the post's current one (decided
    /// after the edit was accepted) is born superseded.
    /// </summary>
    private void InsertReviewItems(SqliteTransaction tx, PreparedFacts facts)
    {
        var items = facts.ReviewItems;
        if (items.Count == 0)
        {
            return;
        }
        var insert = Prepared(tx, $"""
            INSERT OR IGNORE INTO review_items (id, platform, account, post_id, version, queue, priority, labels, machine_decision_id, status, created_at)
            VALUES ($id, $pl, $a, $post, $v, $q, $prio, $labels, $mdid,
                CASE WHEN EXISTS (SELECT 1 FROM posts WHERE platform = $pl AND post_id = $post AND version > $v)
                    THEN '{ReviewQueues.Superseded}' ELSE '{ReviewQueues.Pending}' END,
                $at)
            """, ("$id", ""), ("$pl", ""), ("$a", ""), ("$post", ""), ("$v", 0), ("$q", ""), ("$prio", 0), ("$labels", ""), ("$mdid", ""), ("$at", 0L));
        for (var n = 0; n < items.Count; n++)
        {
            var i = items[n];
            Set(insert, ("$id", i.Id), ("$pl", i.Platform), ("$a", i.Account), ("$post", i.PostId), ("$v", i.Version), ("$q", i.Queue),
                ("$prio", i.Priority), ("$labels", facts.ReviewLabels[n]),
                ("$mdid", i.MachineDecisionId), ("$at", i.CreatedAt.ToUnixTimeMilliseconds()));
            insert.ExecuteNonQuery();
        }
    }
}

/// <summary>Facts ready for a writer request: the records and their JSON columns, serialized by <see cref="SqliteFactsStore.Prepare"/>.</summary>
internal sealed record PreparedFacts(
    IReadOnlyList<DecisionRecord> Decisions, string[] DecisionBodies, IReadOnlyList<ReviewItemRecord> ReviewItems, string[] ReviewLabels);
