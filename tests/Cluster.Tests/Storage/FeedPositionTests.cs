using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Microsoft.Data.Sqlite;

namespace Cluster.Tests.Storage;

/// <summary>
/// Feed positions on a real SQLite file: allocated in the writing transaction in commit order, per platform, untouched
/// by replays, and continuing from the highest stored position when the file is opened again.
/// </summary>
public sealed class FeedPositionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("feed-").FullName;

    private string DbPath => Path.Combine(_dir, "cluster.db");

    [Fact]
    public async Task Positions_increase_per_platform_replays_take_none_and_a_reopened_file_continues_after_the_highest()
    {
        using (var facts = new StandaloneFacts(DbPath))
        {
            var store = facts.Store;
            await store.RecordAsync([Decision("a", "p-1"), Decision("b", "p-1"), Decision("a", "p-2")], [], CancellationToken.None);
            await store.RecordAsync([Decision("a", "p-1")], [], CancellationToken.None); // a replay
            await store.RecordAsync([Decision("a", "p-3")], [], CancellationToken.None);

            Assert.Equal([(1L, "p-1"), (2L, "p-2"), (3L, "p-3")], await Feed(store, "a"));
            Assert.Equal([(1L, "p-1")], await Feed(store, "b"));
        }
        using (var facts = new StandaloneFacts(DbPath))
        {
            var store = facts.Store;
            await store.RecordAsync([Decision("a", "p-2"), Decision("a", "p-4"), Decision("b", "p-2")], [], CancellationToken.None);

            Assert.Equal([(1L, "p-1"), (2L, "p-2"), (3L, "p-3"), (4L, "p-4")], await Feed(store, "a"));
            Assert.Equal([(1L, "p-1"), (2L, "p-2")], await Feed(store, "b"));
        }
    }

    [Fact]
    public async Task A_rolled_back_write_leaves_at_most_a_gap_and_later_positions_stay_above_every_stored_one()
    {
        using var facts = new StandaloneFacts(DbPath);
        var store = facts.Store;
        await store.RecordAsync([Decision("a", "p-1")], [], CancellationToken.None);
        // The second decision breaks a NOT NULL column after the first took a position: the request rolls back whole.
        await Assert.ThrowsAsync<SqliteException>(() =>
            store.RecordAsync([Decision("a", "p-2"), Decision("a", "p-3") with { Account = null! }], [], CancellationToken.None));
        await store.RecordAsync([Decision("a", "p-4")], [], CancellationToken.None);

        var feed = await Feed(store, "a");
        Assert.Equal(["p-1", "p-4"], feed.Select(f => f.PostId));
        Assert.True(feed[1].Position > feed[0].Position);
        Assert.Empty(await store.ReadFeedAsync("a", feed[1].Position, 100, CancellationToken.None));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<List<(long Position, string PostId)>> Feed(IDecisionStore store, string platform) =>
        (await store.ReadFeedAsync(platform, 0, 100, CancellationToken.None)).Select(r => (r.Cursor, r.Decision.PostId)).ToList();

    private static DecisionRecord Decision(string platform, string postId) =>
        new(DerivedIds.MachineDecision(platform, postId, 1), platform, postId, 1, "u-1", DecisionActions.Allow, DecisionActions.Machine,
            null, DateTimeOffset.UnixEpoch, null, [], 0, AccountStatus.None, null);
}
