using System.Text.Json;
using Cluster.Grains.Accounts;
using Cluster.Grains.Storage;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>
/// What the partition runtime of earlier builds left in the file, moved over once at start inside the migrating
/// transaction: account states (grain_state, the same JSON) become grain storage rows; inbox messages above their
/// partition's checkpoint (accepted, not applied) become "posts" stream events in their old order (one account's
/// messages were all in one partition) or stored verdicts for <see cref="Grains.Review.VerdictRedelivery"/>. Applied
/// messages are deleted, dead-lettered ones kept for the operator.
/// </summary>
public sealed partial class SqliteFactsStore
{
    internal void ImportLegacy(SqliteConnection c, SqliteTransaction tx)
    {
        Execute(c, tx, $"""
            INSERT INTO orleans_grain_state (grain_type, grain_key, state_name, etag, state, updated_at)
            SELECT '{AccountGrain.GrainTypeName}', grain_key, '{AccountGrain.StateName}', 1, CAST(state AS BLOB), updated_at FROM grain_state
            WHERE grain_type = 'account'
            ON CONFLICT DO NOTHING
            """);
        Execute(c, tx, "DELETE FROM grain_state");

        var events = new List<(StreamId, object[])>();
        using (var cmd = Command(c, tx, """
            SELECT i.kind, i.payload FROM inbox i LEFT JOIN checkpoint k ON k.partition = i.partition
            WHERE i.seq > COALESCE(k.seq, 0)
              AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.partition = i.partition AND d.seq = i.seq)
            ORDER BY i.partition, i.seq
            """))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                switch (r.GetString(0))
                {
                    case PostSubmitted.MessageKind:
                        var post = JsonSerializer.Deserialize(r.GetString(1), GrainsJson.Default.PostSubmitted)!;
                        events.Add((StreamOf(post.Platform, post.Account), [post]));
                        break;
                    case ReviewVerdict.MessageKind:
                        var verdict = JsonSerializer.Deserialize(r.GetString(1), GrainsJson.Default.ReviewVerdict)!;
                        Execute(c, tx, """
                            INSERT OR IGNORE INTO pending_verdicts (item_id, platform, account, payload, created_at) VALUES ($id, $pl, $a, $payload, 0)
                            """, ("$id", verdict.ItemId), ("$pl", verdict.Platform), ("$a", verdict.Account), ("$payload", r.GetString(1)));
                        break;
                }
            }
        }
        if (events.Count > 0)
        {
            _queue.Append(c, tx, _queue.Prepare(events));
        }
        Execute(c, tx, "DELETE FROM inbox WHERE NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.partition = inbox.partition AND d.seq = inbox.seq)");
        Execute(c, tx, "DELETE FROM checkpoint; DELETE FROM partition_lease; DELETE FROM inbox_seq");
    }
}
