using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Tests.Support;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Grains.Tests.Accounts;

/// <summary>The AccountGrain on a real in-process Orleans cluster over the SQLite providers.</summary>
public sealed class AccountGrainTests
{
    [Fact]
    public async Task Posts_of_one_account_are_applied_in_the_order_they_were_accepted_across_two_silos()
    {
        await using var cluster = await GrainCluster.StartAsync(silos: 2);
        const int Accounts = 12, PerAccount = 15;
        // Interleaved over the accounts, several commits: each account's posts are spread over the transactions.
        for (var n = 0; n < PerAccount; n += 5)
        {
            var batch = new List<PostSubmitted>();
            for (var i = n; i < n + 5; i++)
            {
                for (var a = 0; a < Accounts; a++)
                {
                    batch.Add(GrainCluster.Post($"u-{a}", $"p-{a}-{i}"));
                }
            }
            await cluster.IngestAsync([.. batch]);
        }

        for (var a = 0; a < Accounts; a++)
        {
            var grain = cluster.Account("demo", $"u-{a}");
            await GrainCluster.Until(async () => (await grain.GetStateAsync())?.Posts == PerAccount,
                async () => $"u-{a} applied {(await grain.GetStateAsync())?.Posts ?? 0} of {PerAccount}");
            var state = (await grain.GetStateAsync())!;
            Assert.Equal(Enumerable.Range(0, PerAccount).Select(i => AppliedMarks.Post($"p-{a}-{i}", 1)), state.RecentPosts);
        }
        Assert.Equal(Accounts * PerAccount, cluster.Scalar("SELECT COUNT(*) FROM decisions WHERE source = 'machine'"));
    }

    [Fact]
    public async Task A_redelivered_event_and_a_repeated_screen_call_change_nothing()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var post = GrainCluster.Post("u-1", "p-1", GrainCluster.Fraud(0.9));
        // The same event twice in the stream (what a redelivery after a lost acknowledgement looks like to the grain),
        // then a third time through the synchronous path.
        var writer = cluster.QueueWriter;
        await cluster.IngestAsync(post);
        var grain = cluster.Account("demo", "u-1");
        await GrainCluster.Until(async () => (await grain.GetStateAsync())?.Posts == 1, async () => "the first delivery did not arrive");
        await writer.AppendAsync([(StreamId.Create(Streams.PostStreams.Namespace, "demo/u-1"), [post, GrainCluster.Post("u-1", "p-2")])]);
        await GrainCluster.Until(async () => (await grain.GetStateAsync())?.Posts == 2, async () => "the event after the repeat did not arrive");

        var again = await grain.DecideAsync(post);

        var state = (await grain.GetStateAsync())!;
        Assert.Equal(2, state.Posts);
        Assert.Equal(1, state.Violations);
        Assert.Equal(1, state.CategoryHits["fraud"]);
        Assert.Equal(DerivedIds.MachineDecision("demo", "p-1", 1), again.DecisionId);
        Assert.Equal(DecisionActions.Block, again.Action);
        Assert.Equal(1, cluster.Scalar("SELECT COUNT(*) FROM decisions WHERE post_id = 'p-1'"));
    }

    [Fact]
    public async Task An_event_delivered_again_after_a_restart_is_skipped_by_its_sequence_token()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cluster-grains-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var retention = TimeSpan.FromHours(1); // delivered rows stay, marked delivered, so the test can un-mark them
            await using (var first = await GrainCluster.StartAsync(directory: directory, retention: retention))
            {
                await first.IngestAsync(GrainCluster.Post("u-1", "p-1", GrainCluster.Fraud(0.9)), GrainCluster.Post("u-1", "p-2"));
                var grain = first.Account("demo", "u-1");
                await GrainCluster.Until(async () => (await grain.GetStateAsync())?.Posts == 2, async () => "the posts were not applied");
                await GrainCluster.Until(() => Task.FromResult(first.Scalar("SELECT COUNT(*) FROM stream_message WHERE delivered_at IS NULL") == 0),
                    () => Task.FromResult("the deliveries were not acknowledged"));
            }
            // As if the acknowledgements had been lost: the next start delivers both rows again, with their old tokens.
            await using var second = await GrainCluster.StartAsync(directory: directory, retention: retention);
            second.Execute("UPDATE stream_message SET delivered_at = NULL");
            await second.IngestAsync(GrainCluster.Post("u-1", "p-3"));
            var again = second.Account("demo", "u-1");
            await GrainCluster.Until(async () => (await again.GetStateAsync())?.Posts == 3, async () => "the post after the redelivered ones was not applied");

            var state = (await again.GetStateAsync())!;
            Assert.Equal(1, state.Violations);
            Assert.Equal(3, second.Scalar("SELECT COUNT(*) FROM decisions"));
            Assert.Equal([AppliedMarks.Post("p-1", 1), AppliedMarks.Post("p-2", 1), AppliedMarks.Post("p-3", 1)], state.RecentPosts);
        }
        finally
        {
            GrainCluster.Delete(directory);
        }
    }

    [Fact]
    public async Task An_event_passed_over_while_the_store_refused_it_is_decided_when_delivered_again_after_later_events()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cluster-grains-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await GrainCluster.StartAsync(directory: directory, maxDeliveryTime: TimeSpan.FromSeconds(2)))
            {
                // The store refuses p-1's decision (a real failure of the real file) for longer than the agent retries it.
                _ = first.Facts; // opens the facts store, which creates its tables
                first.Execute("CREATE TRIGGER test_refuse BEFORE INSERT ON decisions WHEN NEW.post_id = 'p-1' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
                await first.IngestAsync(GrainCluster.Post("u-1", "p-1", GrainCluster.Fraud(0.9)));
                await Task.Delay(TimeSpan.FromSeconds(4)); // past MaxEventDeliveryTime: the agent passes over p-1
                first.Execute("DROP TRIGGER test_refuse;");
                await first.IngestAsync(GrainCluster.Post("u-1", "p-2")); // the stream's next event, a higher sequence
                var grain = first.Account("demo", "u-1");
                await GrainCluster.Until(async () => (await grain.GetStateAsync())?.Posts == 1, async () => "p-2 was not applied");
                Assert.Equal([AppliedMarks.Post("p-2", 1)], (await grain.GetStateAsync())!.RecentPosts);
                Assert.Equal(0, first.Scalar("SELECT COUNT(*) FROM decisions WHERE post_id = 'p-1'"));
                Assert.Equal(1, first.Scalar("SELECT MIN(seq) FROM stream_message")); // p-1's row (its queue's first), never acknowledged
            }

            // Its queue restarts: p-1 comes again, below the state's last sequence, and is decided now, once.
            await using var second = await GrainCluster.StartAsync(directory: directory);
            var again = second.Account("demo", "u-1");
            await GrainCluster.Until(async () => (await again.GetStateAsync())?.Posts == 2, async () => "the passed-over p-1 was not applied", seconds: 30);
            var state = (await again.GetStateAsync())!;
            Assert.Equal(1, state.Violations);
            Assert.Equal(1, second.Scalar("SELECT COUNT(*) FROM decisions WHERE post_id = 'p-1'"));
            await GrainCluster.Until(() => Task.FromResult(second.Scalar("SELECT COUNT(*) FROM stream_message") == 0),
                () => Task.FromResult("p-1's row was not acknowledged"));
        }
        finally
        {
            GrainCluster.Delete(directory);
        }
    }

    [Fact]
    public async Task A_stale_activation_fails_its_write_is_deactivated_and_the_next_call_reads_the_stored_state()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var grain = cluster.Account("demo", "u-1");
        await grain.DecideAsync(GrainCluster.Post("u-1", "p-1"));
        // Another writer (a second activation elsewhere) wrote the state since this activation read it.
        cluster.Execute("""
            UPDATE orleans_grain_state SET etag = etag + 1, state = CAST(json_set(CAST(state AS TEXT), '$.strikes', 7) AS BLOB)
            WHERE grain_type = 'account' AND grain_key = 'demo/u-1'
            """);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.DecideAsync(GrainCluster.Post("u-1", "p-2")));
        // The decision is written in the state write's transaction: the failed write stored neither.
        Assert.Equal(0, cluster.Scalar("SELECT COUNT(*) FROM decisions WHERE post_id = 'p-2'"));

        // A new activation: it reads the stored state (the other writer's strikes) and its writes succeed.
        var decided = await grain.DecideAsync(GrainCluster.Post("u-1", "p-2"));
        var state = (await grain.GetStateAsync())!;
        Assert.Equal(7, state.Strikes);
        Assert.Equal(2, state.Posts);
        Assert.Equal(DerivedIds.MachineDecision("demo", "p-2", 1), decided.DecisionId);
        Assert.Equal(1, cluster.Scalar("SELECT COUNT(*) FROM decisions WHERE post_id = 'p-2'"));
    }

    [Fact]
    public async Task An_idle_activation_is_collected_and_the_next_call_reactivates_it_from_storage()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var grain = cluster.Account("demo", "u-1");
        await grain.DecideAsync(GrainCluster.Post("u-1", "p-1", GrainCluster.Fraud(0.9)));
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var before = await management.GetTotalActivationCount();

        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.True(await management.GetTotalActivationCount() < before, "the idle account activation was not collected");
        // Changed behind the collected activation's back: only a fresh read from storage can see it.
        cluster.Execute("""
            UPDATE orleans_grain_state SET etag = etag + 1, state = CAST(json_set(CAST(state AS TEXT), '$.strikes', 3) AS BLOB)
            WHERE grain_type = 'account' AND grain_key = 'demo/u-1'
            """);

        var state = (await grain.GetStateAsync())!;
        Assert.Equal(3, state.Strikes);
        Assert.Equal(1, state.Posts);
        Assert.Equal(1, state.Violations);
        Assert.Equal([AppliedMarks.Post("p-1", 1)], state.RecentPosts);
    }
}
