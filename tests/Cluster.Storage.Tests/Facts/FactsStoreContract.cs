using System.Text.Json;
using Cluster.Grains.Accounts;
using Cluster.Grains.Auth;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Storage.Tests.Facts;

/// <summary>
/// The facts store contract (posts, decisions feed, staged facts, review, admin, backlog), run against every backend by
/// the derived classes: the embedded store on SQLite and the cluster store on PostgreSQL behave the same.
/// </summary>
public abstract class FactsStoreContract : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly ReviewerScope Anyone = new("r1", ["*"], false);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly Backend _backend;
    private readonly StandaloneStore _db;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly FactsStores _facts;

    private protected FactsStoreContract(Backend backend)
    {
        _backend = backend;
        _db = backend.OpenStandalone(queues: 8);
        _facts = _db.OpenFacts(_time);
    }

    public void Dispose()
    {
        _db.Dispose();
        _backend.Dispose();
    }

    [Fact]
    public async Task New_posts_are_version_1_and_the_same_content_again_is_a_duplicate_within_and_across_batches()
    {
        var first = await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "hello"), Post("a", "p2", "u1", "x"), Post("a", "p1", "u1", "hello"),
            Post("b", "p1", "u7", "hello"), Post("a", "s1", "u1", "screened", enqueue: false)], None);
        Assert.Equal([New(1, "u1"), New(1, "u1"), Duplicate(1, "u1"), New(1, "u7"), New(1, "u1")], first);

        // Sent again by another account: still a duplicate, of the post its first sender owns.
        var again = await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u2", "hello"), Post("a", "s1", "u1", "screened", enqueue: false)], None);
        Assert.Equal([Duplicate(1, "u1"), Duplicate(1, "u1")], again);

        var stored = await _facts.Posts.GetPostAsync("a", "p1", None);
        Assert.Equal(new PostRecord("a", "p1", "u1", "post", "hello", null, Start, ContentHash.Of("post", "hello"), 1), stored);
        Assert.Null(await _facts.Posts.GetPostAsync("a", "nope", None));
        // One stream row per accepted post that asked for one, under its platform/account stream.
        Assert.Equal(["a/u1", "a/u1", "b/u7"], _db.Query<string>("SELECT stream_key FROM stream_message").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task New_content_under_a_stored_id_is_the_next_version_under_the_owning_account()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "one")], None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var createdAt = Start.AddDays(-1);
        Assert.Equal([Edited(2, "u1")], await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u2", "two", created: createdAt)], None));
        _time.Advance(TimeSpan.FromSeconds(1));
        var batch = await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "three"), Post("a", "p1", "u1", "three"), Post("a", "p1", "u3", "four",
            created: Start.AddDays(-2)), Post("a", "p9", "u4", "n", created: Start), Post("a", "p9", "u4", "m", created: Start.AddDays(-3))], None);
        Assert.Equal([Edited(3, "u1"), Duplicate(3, "u1"), Edited(4, "u1"), New(1, "u4"), Edited(2, "u4")], batch);

        // The newest content and version; the first createdAt given stays; the account is the first sender's.
        var stored = await _facts.Posts.GetPostAsync("a", "p1", None);
        Assert.Equal(new PostRecord("a", "p1", "u1", "post", "four", createdAt, Start.AddSeconds(2), ContentHash.Of("post", "four"), 4), stored);
        Assert.Equal(new PostRecord("a", "p9", "u4", "post", "m", Start, Start.AddSeconds(2), ContentHash.Of("post", "m"), 2),
            await _facts.Posts.GetPostAsync("a", "p9", None));

        // Every accepted version went to the owner's stream with its version number.
        var events = _db.Query<byte[]>("SELECT payload FROM stream_message")
            .Select(p => Assert.IsType<PostSubmitted>(StandaloneServices.Serializer.Deserialize<object>(p))).ToList();
        Assert.Equal([("p1", "u1", 1), ("p1", "u1", 2), ("p1", "u1", 3), ("p1", "u1", 4), ("p9", "u4", 1), ("p9", "u4", 2)],
            events.Select(e => (e.PostId, e.Account, e.Version)).Order());
    }

    [Fact]
    public async Task A_post_holding_U0000_is_stored_and_recognized_when_sent_again()
    {
        const string text = "a\0b";
        Assert.Equal([New(1, "u1")], await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", text)], None));
        Assert.Equal([Duplicate(1, "u1")], await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", text)], None));
        var stored = await _facts.Posts.GetPostAsync("a", "p1", None);
        Assert.Equal(text.Length, stored!.Text.Length); // the same UTF-16 offsets for evidence
        Assert.Equal(ContentHash.Of("post", text), stored.ContentHash);
    }

    [Fact]
    public async Task An_edit_closes_the_open_review_items_of_earlier_versions_and_a_later_item_for_an_old_version_is_born_superseded()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "v1"), Post("a", "p2", "u1", "v1"), Post("a", "p3", "u1", "v1"), Post("a", "p4", "u1", "v1")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1), Item("a", "p2", 1), Item("a", "p3", 1)], None);
        var claimed = await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(5)), None);
        Assert.Equal(3, claimed.Count);
        await _facts.Review.ReleaseAsync(Id("a", "p1", 1), Anyone, None);
        Assert.Equal(ReviewOutcome.Done, (await _facts.Review.DecideAsync(Id("a", "p3", 1), Anyone, ReviewVerdict.Clear, ToAccount, None)).Outcome);

        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "v2"), Post("a", "p2", "u1", "v2"), Post("a", "p3", "u1", "v2"), Post("a", "p4", "u1", "v2")], None);

        Assert.Equal(ReviewQueues.Superseded, Status(Id("a", "p1", 1))); // was pending
        Assert.Equal(ReviewQueues.Superseded, Status(Id("a", "p2", 1))); // was claimed: the lease ends with it
        Assert.Equal(ReviewQueues.Decided, Status(Id("a", "p3", 1)));
        Assert.Equal(ReviewOutcome.NotHeld, await _facts.Review.ReleaseAsync(Id("a", "p2", 1), Anyone, None));

        await _facts.Decisions.RecordAsync([], [Item("a", "p4", 1), Item("a", "p4", 2)], None);
        Assert.Equal(ReviewQueues.Superseded, Status(Id("a", "p4", 1)));
        var open = await _facts.Review.ClaimAsync(new ClaimRequest("r2", ["*"], false, null, 10, TimeSpan.FromMinutes(5)), None);
        Assert.Equal([Id("a", "p4", 2)], open.Select(c => c.Item.Id));
    }

    [Fact]
    public async Task Feed_positions_count_each_platform_from_1_in_commit_order_and_a_replayed_decision_takes_none()
    {
        var recorded = new List<string>();
        _facts.Decisions.Recorded += ds => recorded.AddRange(ds.Select(d => d.DecisionId));
        var a1 = Decision("a", "p1", 1);
        var b1 = Decision("b", "q1", 1);
        var a2 = Decision("a", "p2", 1);
        await _facts.Decisions.RecordAsync([a1], [], None);
        await _facts.Decisions.RecordAsync([b1, a2], [], None);
        await _facts.Decisions.RecordAsync([a1], [], None); // a replay
        await _facts.Decisions.RecordAsync([Decision("a", "p3", 1), Decision("a", "p3", 1)], [], None); // repeated in one call

        Assert.Equal([(1L, a1.DecisionId), (2L, a2.DecisionId), (3L, Decision("a", "p3", 1).DecisionId)], await Feed("a", 0, 100));
        Assert.Equal([(1L, b1.DecisionId)], await Feed("b", 0, 100));
        Assert.Equal([(2L, a2.DecisionId)], await Feed("a", 1, 1));
        Assert.Empty(await Feed("a", 3, 100));
        Assert.Equal([a1.DecisionId, b1.DecisionId, a2.DecisionId, Decision("a", "p3", 1).DecisionId], recorded);
    }

    [Fact]
    public async Task A_decision_keeps_every_field_it_was_recorded_with()
    {
        var evidence = new Evidence(2, 6, "刷单返利", "lexicon:test@3");
        var decision = Decision("a", "p1", 1) with
        {
            Action = DecisionActions.Block,
            Labels = [new DecisionLabel("fraud", 0.93, [evidence]), new DecisionLabel("ads", 0.5, [])],
            RiskScore = 0.9312,
            AccountStatus = AccountStatus.Warned,
            Debunk = new Debunk("ru-3", "Not true", "https://example.org/ru-3"),
        };
        await _facts.Decisions.RecordAsync([decision], [], None);

        var read = await _facts.Decisions.GetLatestAsync("a", "p1", None);
        Assert.Equal(JsonSerializer.Serialize(decision), JsonSerializer.Serialize(read));
        Assert.Equal(JsonSerializer.Serialize(decision), JsonSerializer.Serialize(Assert.Single(await _facts.Decisions.ReadFeedAsync("a", 0, 10, None)).Decision));
        Assert.Null(await _facts.Decisions.GetLatestAsync("a", "p2", None));
    }

    [Fact]
    public async Task A_later_versions_decision_supersedes_the_decision_in_force_and_a_given_supersedes_is_kept()
    {
        var recorded = new List<DecisionRecord>();
        _facts.Decisions.Recorded += recorded.AddRange;
        var machine = Decision("a", "p1", 1);
        var human = Decision("a", "p1", 1, source: DecisionActions.Human) with
        {
            DecisionId = DerivedIds.HumanDecision("a", "p1", 1, Id("a", "p1", 1)), Reviewer = "r1", Supersedes = machine.DecisionId,
        };
        var edit = Decision("a", "p1", 2);
        await _facts.Decisions.RecordAsync([machine], [], None);
        await _facts.Decisions.RecordAsync([human], [], None);
        await _facts.Decisions.RecordAsync([edit], [], None);
        // Two versions of one post in one call: the second supersedes the first.
        var x1 = Decision("a", "p9", 1);
        var x2 = Decision("a", "p9", 2);
        await _facts.Decisions.RecordAsync([x1, x2], [], None);

        var all = await _facts.Decisions.GetAllAsync("a", "p1", None);
        Assert.Equal([(machine.DecisionId, null), (human.DecisionId, machine.DecisionId), (edit.DecisionId, human.DecisionId)],
            all.Select(d => (d.DecisionId, d.Supersedes)));
        Assert.Equal(edit.DecisionId, (await _facts.Decisions.GetLatestAsync("a", "p1", None))!.DecisionId);
        var latest = (await _facts.Decisions.GetLatestAsync("a", "p9", None))!;
        Assert.Equal((x2.DecisionId, x1.DecisionId), (latest.DecisionId, latest.Supersedes));
        // Recorded carries what the store filled in.
        Assert.Equal([null, machine.DecisionId, human.DecisionId, null, x1.DecisionId], recorded.Select(d => d.Supersedes));
    }

    [Fact]
    public async Task Staged_facts_are_written_with_the_state_and_a_stale_state_write_stores_neither()
    {
        var recorded = new List<string>();
        _facts.Decisions.Recorded += ds => recorded.AddRange(ds.Select(d => d.DecisionId));
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "text"), Post("a", "p2", "u1", "text")], None);
        var staging = Assert.IsAssignableFrom<IStagedFacts>(_db.GrainStorage);
        var grain = GrainId.Create("account", "a/u1");
        var fresh = new GrainState<AppliedState> { State = new AppliedState { Counter = 1 } };
        var stale = new GrainState<AppliedState> { ETag = "7", State = new AppliedState { Counter = 99 } };

        Assert.True(staging.TryStage(grain, [Decision("a", "p1", 1)], [Item("a", "p1", 1)]));
        await _db.GrainStorage.WriteStateAsync("account", grain, fresh);
        Assert.True(staging.TryStage(grain, [Decision("a", "p2", 1)], [Item("a", "p2", 1)]));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _db.GrainStorage.WriteStateAsync("account", grain, stale));
        // Discarded facts are not written by the next write.
        Assert.True(staging.TryStage(grain, [Decision("a", "p2", 1)], []));
        staging.Discard(grain);
        await _db.GrainStorage.WriteStateAsync("account", grain, fresh);

        Assert.Equal([(1L, Decision("a", "p1", 1).DecisionId)], await Feed("a", 0, 10));
        Assert.Equal([Id("a", "p1", 1)], _db.Query<string>("SELECT id FROM review_items"));
        Assert.Equal([Decision("a", "p1", 1).DecisionId], recorded);
        var read = new GrainState<AppliedState>();
        await _db.GrainStorage.ReadStateAsync("account", grain, read);
        Assert.Equal(1, read.State!.Counter);
        Assert.Equal(fresh.ETag, read.ETag);
    }

    [Fact]
    public async Task Claims_take_the_best_open_items_of_the_callers_queues_and_lease_them_to_one_reviewer()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t1"), Post("a", "p2", "u1", "t2"), Post("a", "p3", "u1", "t3"), Post("a", "p4", "u1", "t4")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1, "fraud", 90), Item("a", "p2", 1, "fraud", 50), Item("a", "p3", 1, "ads", 70),
            Item("a", "p4", 1, ReviewQueues.Senior, 99)], None);
        var lease = TimeSpan.FromMinutes(3);

        var first = await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 2, lease), None);
        Assert.Equal([Id("a", "p1", 1), Id("a", "p3", 1)], first.Select(c => c.Item.Id));
        Assert.All(first, c => Assert.Equal(Start + lease, c.LeaseUntil));
        Assert.Equal("t1", first[0].Post!.Text);
        Assert.Equal(Item("a", "p1", 1, "fraud", 90).Labels.Single().Category, first[0].Item.Labels.Single().Category);
        Assert.Equal((90, "fraud", 1, Start), (first[0].Item.Priority, first[0].Item.Queue, first[0].Item.Version, first[0].Item.CreatedAt));

        Assert.Empty(await _facts.Review.ClaimAsync(new ClaimRequest("r2", ["ads"], false, null, 10, lease), None));
        var senior = await _facts.Review.ClaimAsync(new ClaimRequest("r3", ["*"], true, null, 10, lease), None);
        Assert.Equal([Id("a", "p4", 1), Id("a", "p2", 1)], senior.Select(c => c.Item.Id));
        Assert.Empty(await _facts.Review.ClaimAsync(new ClaimRequest("r4", ["*"], true, null, 10, lease), None));
    }

    [Fact]
    public async Task A_claim_names_its_queue_or_lists_them_and_only_seniors_take_the_senior_queue()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t1"), Post("a", "p2", "u1", "t2"), Post("a", "p3", "u1", "t3")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1, "fraud", 10), Item("a", "p2", 1, "ads", 20), Item("a", "p3", 1, ReviewQueues.Senior, 30)], None);
        var lease = TimeSpan.FromMinutes(1);

        Assert.Empty(await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, "porn", 10, lease), None));
        Assert.Equal([Id("a", "p2", 1)], (await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["ads", "porn"], false, null, 10, lease), None)).Select(c => c.Item.Id));
        Assert.Equal([Id("a", "p1", 1)], (await _facts.Review.ClaimAsync(new ClaimRequest("r2", ["*"], false, null, 10, lease), None)).Select(c => c.Item.Id));
        Assert.Equal(ReviewQueues.Pending, Status(Id("a", "p3", 1)));
        Assert.Equal([Id("a", "p3", 1)], (await _facts.Review.ClaimAsync(new ClaimRequest("r3", ["porn"], true, null, 10, lease), None)).Select(c => c.Item.Id));
    }

    [Fact]
    public async Task An_expired_lease_returns_the_item_to_the_next_claim_and_its_old_holder_no_longer_holds_it()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1)], None);
        Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(1)), None));
        Assert.Empty(await _facts.Review.ClaimAsync(new ClaimRequest("r2", ["*"], false, null, 10, TimeSpan.FromMinutes(1)), None));

        _time.Advance(TimeSpan.FromMinutes(1));
        var taken = Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("r2", ["*"], false, null, 10, TimeSpan.FromMinutes(2)), None));
        Assert.Equal(Start.AddMinutes(3), taken.LeaseUntil);
        Assert.Equal(ReviewOutcome.NotHeld, await _facts.Review.ReleaseAsync(Id("a", "p1", 1), Anyone, None));
        Assert.Equal(ReviewOutcome.Done, await _facts.Review.ReleaseAsync(Id("a", "p1", 1), Anyone with { Reviewer = "r2" }, None));
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_one_item_to_two_reviewers()
    {
        var posts = Enumerable.Range(0, 20).Select(i => Post("a", $"p{i}", "u1", $"t{i}")).ToList();
        await _facts.Posts.AppendPostsAsync(posts, None);
        await _facts.Decisions.RecordAsync([], Enumerable.Range(0, 20).Select(i => Item("a", $"p{i}", 1, "fraud", i)).ToList(), None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(r =>
            Task.Run(() => _facts.Review.ClaimAsync(new ClaimRequest($"r{r}", ["*"], false, null, 3, TimeSpan.FromMinutes(5)), None))));
        var ids = claims.SelectMany(c => c.Select(i => i.Item.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var rest = await _facts.Review.ClaimAsync(new ClaimRequest("last", ["*"], false, null, 50, TimeSpan.FromMinutes(5)), None);
        Assert.Equal(20, ids.Count + rest.Count);
        Assert.Equal(20, ids.Concat(rest.Select(i => i.Item.Id)).Distinct().Count());
    }

    [Fact]
    public async Task Deciding_needs_the_lease_and_stores_the_verdict_until_it_is_marked_applied()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1, "fraud")], None);
        var item = Id("a", "p1", 1);
        Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(5)), None));

        Assert.Equal(ReviewOutcome.NotHeld, (await _facts.Review.DecideAsync(item, Anyone with { Reviewer = "r2" }, ReviewVerdict.Violation, ToAccount, None)).Outcome);
        Assert.Equal(ReviewOutcome.NotFound, (await _facts.Review.DecideAsync(item, new ReviewerScope("r1", ["ads"], false), ReviewVerdict.Violation, ToAccount, None)).Outcome);
        Assert.Equal(ReviewOutcome.NotFound, (await _facts.Review.DecideAsync("r_missing", Anyone, ReviewVerdict.Violation, ToAccount, None)).Outcome);

        var (outcome, verdict) = await _facts.Review.DecideAsync(item, Anyone, ReviewVerdict.Violation, ToAccount, None);
        Assert.Equal(ReviewOutcome.Done, outcome);
        Assert.Equal((item, "r1", ReviewVerdict.Violation, 1), (verdict!.ItemId, verdict.Reviewer, verdict.Verdict, verdict.Version));
        Assert.Equal(ReviewQueues.Decided, Status(item));
        Assert.Equal(ReviewOutcome.NotHeld, (await _facts.Review.DecideAsync(item, Anyone, ReviewVerdict.Clear, ToAccount, None)).Outcome);

        Assert.Empty(await _facts.Review.UnappliedVerdictsAsync(TimeSpan.FromSeconds(10), 10, None));
        _time.Advance(TimeSpan.FromSeconds(10));
        var unapplied = Assert.Single(await _facts.Review.UnappliedVerdictsAsync(TimeSpan.FromSeconds(10), 10, None));
        Assert.Equal(JsonSerializer.Serialize(verdict), JsonSerializer.Serialize(unapplied));
        await _facts.Review.MarkVerdictAppliedAsync(item, None);
        Assert.Empty(await _facts.Review.UnappliedVerdictsAsync(TimeSpan.Zero, 10, None));
    }

    [Fact]
    public async Task Escalating_moves_a_held_item_to_the_senior_queue_and_releasing_returns_it_unclaimed()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1, "fraud", 40)], None);
        var item = Id("a", "p1", 1);
        var senior = new ReviewerScope("s1", ["*"], true);
        Assert.Equal(ReviewOutcome.NotHeld, await _facts.Review.EscalateAsync(item, Anyone, None));
        Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(5)), None));

        Assert.Equal(ReviewOutcome.Done, await _facts.Review.EscalateAsync(item, Anyone, None));
        Assert.Equal(ReviewOutcome.NotFound, await _facts.Review.ReleaseAsync(item, Anyone, None)); // the senior queue is not r1's to see
        Assert.Empty(await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["*"], false, null, 10, TimeSpan.FromMinutes(5)), None));
        var taken = Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("s1", ["*"], true, null, 10, TimeSpan.FromMinutes(5)), None));
        Assert.Equal((ReviewQueues.Senior, 50), (taken.Item.Queue, taken.Item.Priority));

        Assert.Equal(ReviewOutcome.Done, await _facts.Review.ReleaseAsync(item, senior, None));
        Assert.Equal(ReviewQueues.Pending, Status(item));
        Assert.Single(await _facts.Review.ClaimAsync(new ClaimRequest("s2", ["*"], true, null, 10, TimeSpan.FromMinutes(5)), None));
    }

    [Fact]
    public async Task Queue_stats_count_waiting_and_claimed_items_per_queue()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t"), Post("a", "p2", "u1", "t"), Post("a", "p3", "u1", "t")], None);
        await _facts.Decisions.RecordAsync([], [Item("a", "p1", 1, "fraud", 10)], None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await _facts.Decisions.RecordAsync([], [Item("a", "p2", 1, "fraud", 20, _time.GetUtcNow()), Item("a", "p3", 1, "ads", 5, _time.GetUtcNow())], None);
        await _facts.Review.ClaimAsync(new ClaimRequest("r1", ["fraud"], false, null, 1, TimeSpan.FromMinutes(1)), None); // takes p2 (priority 20)
        _time.Advance(TimeSpan.FromSeconds(15));

        var stats = await _facts.Review.QueueStatsAsync(None);
        Assert.Equal([new QueueStats("ads", 1, 15, 0), new QueueStats("fraud", 1, 45, 1)], stats);
        _time.Advance(TimeSpan.FromMinutes(1)); // the lease ran out: waiting again
        Assert.Equal(new QueueStats("fraud", 2, 105, 0), (await _facts.Review.QueueStatsAsync(None))[1]);
    }

    [Fact]
    public async Task Tokens_find_their_principals_and_only_hashes_are_compared()
    {
        Assert.False(await _facts.Admin.HasAdminTokenAsync(None));
        await _facts.Admin.AddAdminTokenAsync("h-admin", None);
        await _facts.Admin.AddAdminTokenAsync("h-admin", None);
        Assert.True(await _facts.Admin.HasAdminTokenAsync(None));
        Assert.True(await _facts.Admin.CreatePlatformAsync("weibo-demo", "Weibo demo", "h-key", None));
        Assert.True(await _facts.Admin.CreateReviewerAsync("r1", "Reviewer one", "senior", ["fraud", "ads"], "h-reviewer", None));

        Assert.Equal(PrincipalKind.Admin, (await _facts.Admin.FindPrincipalAsync("h-admin", None))!.Kind);
        var platform = (await _facts.Admin.FindPrincipalAsync("h-key", None))!;
        Assert.Equal((PrincipalKind.Platform, "weibo-demo", "platform"), (platform.Kind, platform.Id, platform.Role));
        var reviewer = (await _facts.Admin.FindPrincipalAsync("h-reviewer", None))!;
        Assert.Equal((PrincipalKind.Reviewer, "r1", "senior"), (reviewer.Kind, reviewer.Id, reviewer.Role));
        Assert.Equal(["fraud", "ads"], reviewer.Queues);
        Assert.Null(await _facts.Admin.FindPrincipalAsync("h-unknown", None));
    }

    [Fact]
    public async Task Platform_and_reviewer_ids_and_secret_hashes_are_taken_once()
    {
        Assert.True(await _facts.Admin.CreatePlatformAsync("a", "A", "h1", None));
        Assert.False(await _facts.Admin.CreatePlatformAsync("a", "A again", "h2", None));
        Assert.False(await _facts.Admin.CreatePlatformAsync("b", "B", "h1", None));
        Assert.True(await _facts.Admin.PlatformExistsAsync("a", None));
        Assert.False(await _facts.Admin.PlatformExistsAsync("b", None));
        Assert.Equal("a", (await _facts.Admin.FindPrincipalAsync("h1", None))!.Id);

        Assert.True(await _facts.Admin.CreateReviewerAsync("r1", "R", "reviewer", ["*"], "t1", None));
        Assert.False(await _facts.Admin.CreateReviewerAsync("r1", "R", "reviewer", ["*"], "t2", None));
        Assert.False(await _facts.Admin.CreateReviewerAsync("r2", "R", "reviewer", ["*"], "t1", None));
        Assert.Null(await _facts.Admin.FindPrincipalAsync("t2", None));
    }

    [Fact]
    public async Task Policies_and_lexicons_count_their_versions_and_rumors_get_ids_in_order()
    {
        Assert.Equal(1, await _facts.Admin.PutPolicyAsync("a", """{"thresholds":{}}""", None));
        Assert.Equal(2, await _facts.Admin.PutPolicyAsync("a", """{"thresholds":{"fraud":{"review":0.4,"block":0.8}}}""", None));
        Assert.Equal(1, await _facts.Admin.PutPolicyAsync("b", "{}", None));
        Assert.Equal([("a", 2L, """{"thresholds":{"fraud":{"review":0.4,"block":0.8}}}"""), ("b", 1L, "{}")],
            (await _facts.Admin.AllPoliciesAsync(None)).OrderBy(p => p.Platform, StringComparer.Ordinal));

        Assert.Equal(1, await _facts.Admin.PutLexiconAsync("zeta", "词\tfraud\n", 1, None));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, await _facts.Admin.PutLexiconAsync("zeta", "词\tfraud\n语\tads\t0.5\n", 2, None));
        Assert.Equal(1, await _facts.Admin.PutLexiconAsync("alpha", "!a\n", 0, None));
        Assert.Equal([new StoredLexiconRow("alpha", 1, "!a\n", 0, Start.AddSeconds(5)), new StoredLexiconRow("zeta", 2, "词\tfraud\n语\tads\t0.5\n", 2, Start.AddSeconds(5))],
            (await _facts.Admin.AllLexiconsAsync(None)).Select(l => new StoredLexiconRow(l.Name, l.Version, l.Body, l.Terms, l.UpdatedAt)));

        Assert.Equal("ru-1", await _facts.Admin.AddRumorAsync("Title 1", "claim one", "https://example.org/1", None));
        Assert.Equal("ru-2", await _facts.Admin.AddRumorAsync("Title 2", "claim two", "https://example.org/2", None));
        Assert.Equal([("ru-1", "claim one"), ("ru-2", "claim two")], (await _facts.Admin.AllRumorsAsync(None)).Select(r => (r.Id, r.Claim)));
    }

    [Fact]
    public async Task The_backlog_counts_unacknowledged_rows_and_a_drain_waits_only_for_rows_stored_before_its_marks()
    {
        await _facts.Posts.AppendPostsAsync([Post("a", "p1", "u1", "t"), Post("a", "p2", "u2", "t"), Post("a", "p3", "u1", "t")], None);
        var marks = _facts.Backlog.Marks();
        Assert.Equal(3, _facts.Backlog.Unacknowledged(marks));
        await _facts.Posts.AppendPostsAsync([Post("a", "p4", "u1", "t"), Post("a", "p5", "u3", "t")], None);
        Assert.Equal(5, _facts.Backlog.Read().Values.Sum());
        Assert.Equal(3, _facts.Backlog.Unacknowledged(marks));

        await _db.ExecuteAsync("DELETE FROM stream_message WHERE stream_key = 'a/u1'");
        Assert.Equal(1, _facts.Backlog.Unacknowledged(marks));
        Assert.Equal(2, _facts.Backlog.Read().Values.Sum());
    }

    private async Task<List<(long, string)>> Feed(string platform, long after, int limit) =>
        (await _facts.Decisions.ReadFeedAsync(platform, after, limit, None)).Select(r => (r.Cursor, r.Decision.DecisionId)).ToList();

    private string Status(string itemId) => _db.Query<string>($"SELECT status FROM review_items WHERE id = '{itemId}'").Single();

    private PostAppend Post(string platform, string id, string account, string text, bool enqueue = true, DateTimeOffset? created = null)
    {
        var now = _time.GetUtcNow();
        var post = new PostRecord(platform, id, account, "post", text, created, now, ContentHash.Of("post", text), 1);
        return new PostAppend(post, new PostSubmitted(PostSubmitted.CurrentV, platform, id, account, "post", now, null, []), enqueue);
    }

    private DecisionRecord Decision(string platform, string postId, int version, string source = DecisionActions.Machine) =>
        new(DerivedIds.MachineDecision(platform, postId, version), platform, postId, version, "u1", DecisionActions.Allow, source, null, _time.GetUtcNow(),
            null, [], 0, AccountStatus.None, null);

    private ReviewItemRecord Item(string platform, string postId, int version, string queue = "fraud", int priority = 50, DateTimeOffset? created = null) =>
        new(Id(platform, postId, version), platform, "u1", postId, version, queue, priority,
            [new DecisionLabel(queue, priority / 100.0, [new Evidence(0, 1, "t", "lexicon:test@1")])],
            DerivedIds.MachineDecision(platform, postId, version), created ?? Start);

    private static string Id(string platform, string postId, int version) => DerivedIds.ReviewItem(platform, postId, version);

    private static ReviewVerdict ToAccount(ReviewItemRecord item) =>
        new(ReviewVerdict.CurrentV, item.Platform, item.Account, item.PostId, item.Id, "r1", ReviewVerdict.Violation, "fraud", "warn", item.MachineDecisionId,
            item.Labels, null, item.Version);

    private static AppendOutcome New(int version, string account) => new(AppendKind.New, version, account);

    private static AppendOutcome Duplicate(int version, string account) => new(AppendKind.Duplicate, version, account);

    private static AppendOutcome Edited(int version, string account) => new(AppendKind.Edited, version, account);

    private sealed record StoredLexiconRow(string Name, long Version, string Body, int Terms, DateTimeOffset UpdatedAt);
}
