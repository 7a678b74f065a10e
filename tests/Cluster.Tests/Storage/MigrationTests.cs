using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Microsoft.Data.Sqlite;

namespace Cluster.Tests.Storage;

/// <summary>A data file written by the build before schema version 2 opens, keeps its ids and reads as per-platform feeds.</summary>
public sealed class MigrationTests : IDisposable
{
    /// <summary>The posts, decisions and review_items DDL of schema version 1, as that build created them.</summary>
    private const string OldSchema = """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        CREATE TABLE posts (
            platform TEXT NOT NULL, post_id TEXT NOT NULL, account TEXT NOT NULL,
            partition INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
            created_at INTEGER, received_at INTEGER NOT NULL,
            PRIMARY KEY (platform, post_id)) WITHOUT ROWID;
        CREATE TABLE decisions (
            cursor INTEGER PRIMARY KEY AUTOINCREMENT,
            decision_id TEXT NOT NULL UNIQUE, platform TEXT NOT NULL, post_id TEXT NOT NULL, account TEXT NOT NULL,
            action TEXT NOT NULL, source TEXT NOT NULL, reviewer TEXT, decided_at INTEGER NOT NULL,
            supersedes TEXT, body TEXT NOT NULL);
        CREATE INDEX decisions_by_platform ON decisions (platform, cursor);
        CREATE INDEX decisions_by_post ON decisions (platform, post_id);
        CREATE TABLE review_items (
            id TEXT PRIMARY KEY, platform TEXT NOT NULL, account TEXT NOT NULL, post_id TEXT NOT NULL,
            queue TEXT NOT NULL, priority INTEGER NOT NULL, labels TEXT NOT NULL, machine_decision_id TEXT NOT NULL,
            status TEXT NOT NULL, claimed_by TEXT, lease_until INTEGER, created_at INTEGER NOT NULL,
            decided_at INTEGER, decided_by TEXT, verdict TEXT);
        CREATE INDEX review_open ON review_items (status, queue, priority DESC, created_at);

        INSERT INTO posts VALUES ('a', 'p-1', 'u-1', 3, 'post', 'hello', NULL, 1000);
        INSERT INTO posts VALUES ('b', 'q-1', 'u-2', 5, 'post', 'hi', NULL, 1001);
        INSERT INTO posts VALUES ('a', 'p-2', 'u-1', 3, 'post', 'ads text', NULL, 1002);
        INSERT INTO posts VALUES ('b', 'q-2', 'u-2', 5, 'post', 'hi again', NULL, 1003);
        INSERT INTO decisions (decision_id, platform, post_id, account, action, source, decided_at, body) VALUES
            ('m-3-1', 'a', 'p-1', 'u-1', 'allow', 'machine', 2000, '{"v":1,"labels":[],"riskScore":0,"accountStatus":"none"}'),
            ('m-5-1', 'b', 'q-1', 'u-2', 'allow', 'machine', 2001, '{"v":1,"labels":[],"riskScore":0,"accountStatus":"none"}'),
            ('m-3-2', 'a', 'p-2', 'u-1', 'review', 'machine', 2002, '{"v":1,"labels":[],"riskScore":0.5,"accountStatus":"none"}'),
            ('m-5-2', 'b', 'q-2', 'u-2', 'allow', 'machine', 2003, '{"v":1,"labels":[],"riskScore":0,"accountStatus":"none"}');
        INSERT INTO review_items (id, platform, account, post_id, queue, priority, labels, machine_decision_id, status, created_at)
            VALUES ('r-3-2', 'a', 'u-1', 'p-2', 'ads', 50, '[]', 'm-3-2', 'pending', 2002);
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "migration-tests-" + Guid.NewGuid().ToString("N"));

    public MigrationTests() => Directory.CreateDirectory(_dir);

    private string DbPath => Path.Combine(_dir, "cluster.db");

    [Fact]
    public async Task An_old_file_opens_with_per_platform_feed_positions_in_the_old_order_and_its_ids_unchanged()
    {
        CreateOld();
        using (var facts = new StandaloneFacts(DbPath))
        {
            var store = facts.Store;
            var a = await store.ReadFeedAsync("a", 0, 100, CancellationToken.None);
            Assert.Equal([(1L, "m-3-1"), (2L, "m-3-2")], a.Select(r => (r.Cursor, r.Decision.DecisionId)));
            var b = await store.ReadFeedAsync("b", 0, 100, CancellationToken.None);
            Assert.Equal([(1L, "m-5-1"), (2L, "m-5-2")], b.Select(r => (r.Cursor, r.Decision.DecisionId)));
            Assert.Equal("m-3-2", Assert.Single(await store.ReadFeedAsync("a", 1, 100, CancellationToken.None)).Decision.DecisionId);
            Assert.All(a.Concat(b), r => Assert.Equal(1, r.Decision.Version));

            // An old post without a stored hash: its text again is a duplicate, new text its version 2.
            var outcomes = await store.AppendPostsAsync([Append("a", "p-1", "u-1", "hello"), Append("a", "p-2", "u-1", "edited")], CancellationToken.None);
            Assert.Equal([new AppendOutcome(AppendKind.Duplicate, 1, "u-1"), new AppendOutcome(AppendKind.Edited, 2, "u-1")], outcomes);
            var scope = new ReviewerScope("r1", ["*"], false);
            Assert.Equal(ReviewOutcome.NotHeld, await store.ReleaseAsync("r-3-2", scope, CancellationToken.None)); // closed as superseded
            Assert.Empty(await store.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(1)), CancellationToken.None));

            // The new version's decision continues A's feed and supersedes the old decision in force.
            await FlushAsync(store, Decision("a", "p-2", 2));
            var next = Assert.Single(await store.ReadFeedAsync("a", 2, 100, CancellationToken.None));
            Assert.Equal(3, next.Cursor);
            Assert.Equal("m-3-2", next.Decision.Supersedes);
            Assert.Equal(DerivedIds.MachineDecision("a", "p-2", 2), (await store.GetLatestAsync("a", "p-2", CancellationToken.None))!.DecisionId);
        }

        // Opening again migrates nothing twice: positions and the per-platform sequence carry on.
        using (var facts = new StandaloneFacts(DbPath))
        {
            var store = facts.Store;
            await FlushAsync(store, Decision("b", "q-3", 1));
            var b = await store.ReadFeedAsync("b", 0, 100, CancellationToken.None);
            Assert.Equal([1L, 2L, 3L], b.Select(r => r.Cursor));
            Assert.Equal(3, (await store.ReadFeedAsync("a", 0, 100, CancellationToken.None)).Count);
        }
        using var db = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var version = db.CreateCommand();
        version.CommandText = "SELECT group_concat(version) FROM schema_version";
        Assert.Equal("4", version.ExecuteScalar());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void CreateOld()
    {
        using var db = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = OldSchema;
        cmd.ExecuteNonQuery();
    }

    private static PostAppend Append(string platform, string postId, string account, string text)
    {
        var post = new PostRecord(platform, postId, account, "post", text, null, DateTimeOffset.UnixEpoch, ContentHash.Of("post", text), 1);
        return new PostAppend(post, new PostSubmitted(PostSubmitted.CurrentV, platform, postId, account, "post", DateTimeOffset.UnixEpoch, null, []), Enqueue: true);
    }

    private static DecisionRecord Decision(string platform, string postId, int version) =>
        new(DerivedIds.MachineDecision(platform, postId, version), platform, postId, version, "u-1", DecisionActions.Allow, DecisionActions.Machine,
            null, DateTimeOffset.UnixEpoch, null, [], 0, AccountStatus.None, null);

    private static async Task FlushAsync(IDecisionStore store, DecisionRecord decision)
    {
        await store.RecordAsync([decision], [], CancellationToken.None);
        // A replay of the same effects writes nothing and takes no position.
        await store.RecordAsync([decision], [], CancellationToken.None);
    }
}
