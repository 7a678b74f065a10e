using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Postgres;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Tests.Support;
using Npgsql;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// Two silos (two <see cref="PostgresDatabase"/>s with their own writers) writing facts to one database at once: one
/// holds its transaction open at the point that matters, the other must wait for it and then see what it committed.
/// What SQLite's single writer gives for free, PostgreSQL's row locks must give here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFactsConcurrencyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly PostgresDatabase _a;
    private readonly PostgresDatabase _b;
    private readonly PostgresFactsStore _factsA;
    private readonly PostgresFactsStore _factsB;
    private readonly ManualResetEventSlim _holding = new();
    private readonly ManualResetEventSlim _gate = new();

    public PostgresFactsConcurrencyTests(PostgresServer server)
    {
        _server = server;
        _connectionString = server.CreateDatabase();
        // The first silo holds its transaction open on purpose until the second waits on it, which on a loaded machine may
        // take longer than the 5 s a session may otherwise stay idle in a transaction.
        _a = new PostgresDatabase(new NpgsqlConnectionStringBuilder(_connectionString) { Options = "-c idle_in_transaction_session_timeout=60000" }.ConnectionString);
        _b = new PostgresDatabase(_connectionString);
        _factsA = new PostgresFactsStore(_a, StandaloneServices.QueueWriter(_a, queues: 8), TimeProvider.System);
        _factsB = new PostgresFactsStore(_b, StandaloneServices.QueueWriter(_b, queues: 8), TimeProvider.System);
    }

    public void Dispose()
    {
        _gate.Set();
        _a.Dispose();
        _b.Dispose();
        _holding.Dispose();
        _gate.Dispose();
        _server.DropDatabase(_connectionString);
    }

    [Fact]
    public async Task A_post_id_two_silos_commit_at_once_is_stored_once_and_the_second_silo_compares_with_the_first()
    {
        var held = HoldAppend(_a, _factsA, [Post("p1", "u1", "hello"), Post("p2", "u1", "one")]);
        var later = _factsB.AppendPostsAsync([Post("p1", "u2", "hello"), Post("p2", "u2", "two")], CancellationToken.None);
        await UntilWaiting(1);

        _gate.Set();
        Assert.Equal([new AppendOutcome(AppendKind.New, 1, "u1"), new AppendOutcome(AppendKind.New, 1, "u1")], await held);
        Assert.Equal([new AppendOutcome(AppendKind.Duplicate, 1, "u1"), new AppendOutcome(AppendKind.Edited, 2, "u1")], await later);
        Assert.Equal(3L, Query<long>("SELECT count(*) FROM stream_message").Single());
        Assert.Equal(("two", 2), ((await _factsB.GetPostAsync("a", "p2", CancellationToken.None))!.Text, (await _factsA.GetPostAsync("a", "p2", CancellationToken.None))!.Version));
    }

    [Fact]
    public async Task A_second_silos_decisions_wait_for_the_first_silos_commit_and_take_the_following_feed_positions()
    {
        var held = HoldFacts(_a, _factsA, new GrainFacts([Decision("p1", 1), Decision("p2", 1)], []));
        var later = _factsB.RecordAsync([Decision("p3", 1)], [], CancellationToken.None);
        await UntilWaiting(1);
        Assert.Empty(await _factsB.ReadFeedAsync("a", 0, 10, CancellationToken.None)); // nothing committed, nothing to pass

        _gate.Set();
        await held;
        await later;
        var feed = await _factsB.ReadFeedAsync("a", 0, 10, CancellationToken.None);
        Assert.Equal([(1L, "p1"), (2L, "p2"), (3L, "p3")], feed.Select(r => (r.Cursor, r.Decision.PostId)));
    }

    [Fact]
    public async Task An_item_for_the_old_version_recorded_while_an_edit_commits_waits_for_it_and_is_stored_superseded()
    {
        await _factsA.AppendPostsAsync([Post("p1", "u1", "v1")], CancellationToken.None);
        var edit = HoldAppend(_a, _factsA, [Post("p1", "u1", "v2")]);
        var item = _factsB.RecordAsync([], [Item("p1", 1)], CancellationToken.None);
        await UntilWaiting(1);

        _gate.Set();
        Assert.Equal([new AppendOutcome(AppendKind.Edited, 2, "u1")], await edit);
        await item;
        Assert.Equal(ReviewQueues.Superseded, Query<string>("SELECT status FROM review_items").Single());
    }

    [Fact]
    public async Task An_edit_committing_while_an_item_for_the_old_version_is_recorded_waits_for_it_and_closes_it()
    {
        await _factsA.AppendPostsAsync([Post("p1", "u1", "v1")], CancellationToken.None);
        var item = HoldFacts(_a, _factsA, new GrainFacts([], [Item("p1", 1)]));
        var edit = _factsB.AppendPostsAsync([Post("p1", "u1", "v2")], CancellationToken.None);
        await UntilWaiting(1);

        _gate.Set();
        await item;
        Assert.Equal([new AppendOutcome(AppendKind.Edited, 2, "u1")], await edit);
        Assert.Equal(ReviewQueues.Superseded, Query<string>("SELECT status FROM review_items").Single());
    }

    /// <summary>A group commit on <paramref name="db"/>'s appending writer, its transaction held open until the gate opens.</summary>
    private async Task<AppendOutcome[]> HoldAppend(PostgresDatabase db, PostgresFactsStore facts, IReadOnlyList<PostAppend> posts)
    {
        var pending = db.Writer.WriteAsync((c, tx) =>
        {
            var outcomes = facts.Append((NpgsqlConnection)c, (NpgsqlTransaction)tx, posts, PostgresFactsStore.FirstOccurrences(posts));
            _holding.Set();
            _gate.Wait(Limit);
            return outcomes;
        });
        Assert.True(_holding.Wait(Limit), "the first silo's transaction did not start");
        return await pending;
    }

    /// <summary>Facts written by <paramref name="db"/>'s state writer, its transaction held open until the gate opens.</summary>
    private async Task HoldFacts(PostgresDatabase db, PostgresFactsStore facts, GrainFacts written)
    {
        var pending = db.StateWriter.WriteAsync((c, tx) =>
        {
            facts.InsertFacts((NpgsqlConnection)c, (NpgsqlTransaction)tx, [written]);
            _holding.Set();
            return _gate.Wait(Limit);
        });
        Assert.True(_holding.Wait(Limit), "the first silo's transaction did not start");
        Assert.True(await pending);
    }

    private Task UntilWaiting(long sessions) =>
        TestCluster.Until(() => Query<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Single() == sessions,
            Limit, () => "the second silo's write is not waiting on the first one's row lock");

    private List<T> Query<T>(string sql) => PostgresQuery.Column<T>(_connectionString, sql);

    private static PostAppend Post(string id, string account, string text) =>
        new(new PostRecord("a", id, account, "post", text, null, Now, ContentHash.Of("post", text), 1),
            new PostSubmitted(PostSubmitted.CurrentV, "a", id, account, "post", Now, null, []), Enqueue: true);

    private static DecisionRecord Decision(string postId, int version) =>
        new(DerivedIds.MachineDecision("a", postId, version), "a", postId, version, "u1", DecisionActions.Allow, DecisionActions.Machine, null, Now, null,
            [], 0, AccountStatus.None, null);

    private static ReviewItemRecord Item(string postId, int version) =>
        new(DerivedIds.ReviewItem("a", postId, version), "a", "u1", postId, version, "ads", 50, [], DerivedIds.MachineDecision("a", postId, version), Now);
}
