using Cluster.Grains.Runtime;

namespace Cluster.Grains.Tests.Runtime;

public sealed class GrainRuntimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_grain_applies_its_messages_in_append_order()
    {
        await using var fx = new RuntimeFixture();
        var runtime = await fx.StartAsync();
        var keys = Enumerable.Range(0, 20).Select(i => $"acct-{i}").ToArray();
        var expected = keys.ToDictionary(k => k, _ => new List<string>());
        for (var round = 0; round < 5; round++)
        {
            var batch = new List<InboxMessage>();
            for (var n = 0; n < 10; n++)
            {
                foreach (var key in keys)
                {
                    var payload = $"{round}:{n}";
                    expected[key].Add(payload);
                    batch.Add(RuntimeFixture.Message(key, payload));
                }
            }
            runtime.Notify(await fx.Store.AppendAsync(batch, CancellationToken.None));
        }
        await fx.AllApplied(runtime).WaitAsync(Patience);

        foreach (var key in keys)
        {
            var record = await fx.Store.LoadGrainAsync(new GrainId(RecordingGrain.Type, key), CancellationToken.None);
            Assert.Equal(expected[key], RecordingGrain.Read(record!.State));
        }
    }

    [Fact]
    public async Task A_grain_never_runs_two_turns_at_once()
    {
        await using var fx = new RuntimeFixture(partitions: 2);
        var runtime = await fx.StartAsync();
        // Few grains, many concurrent appends: every grain has a deep backlog while its turns yield mid-way.
        var appends = Enumerable.Range(0, 8).Select(async i =>
        {
            var batch = Enumerable.Range(0, 50).Select(n => RuntimeFixture.Message($"hot-{n % 3}", $"{i}-{n}")).ToList();
            runtime.Notify(await fx.Store.AppendAsync(batch, CancellationToken.None));
        });
        await Task.WhenAll(appends);
        await fx.AllApplied(runtime).WaitAsync(Patience);

        Assert.Equal(400, fx.Probe.Turns);
        Assert.Equal(1, fx.Probe.MaxConcurrentTurnsPerGrain);
    }

    [Fact]
    public async Task Idle_activations_are_collected_and_reactivate_from_stored_state()
    {
        await using var fx = new RuntimeFixture();
        var runtime = await fx.StartAsync();
        var id = new GrainId(RecordingGrain.Type, "idle-1");
        runtime.Notify(await fx.Store.AppendAsync([RuntimeFixture.Message("idle-1", "a")], CancellationToken.None));
        await fx.AllApplied(runtime).WaitAsync(Patience);
        Assert.True(runtime.IsActive(id));

        var partition = fx.Map.Of(id);
        var collected = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.IdleCollected += (p, count) =>
        {
            if (p == partition && count > 0)
            {
                collected.TrySetResult(count);
            }
        };
        fx.Time.Advance(fx.Options.IdleTimeout + TimeSpan.FromSeconds(1));
        runtime.Notify([partition]);
        Assert.Equal(1, await collected.Task.WaitAsync(Patience));
        Assert.False(runtime.IsActive(id));

        runtime.Notify(await fx.Store.AppendAsync([RuntimeFixture.Message("idle-1", "b")], CancellationToken.None));
        await fx.AllApplied(runtime).WaitAsync(Patience);
        var record = await fx.Store.LoadGrainAsync(id, CancellationToken.None);
        Assert.Equal(["a", "b"], RecordingGrain.Read(record!.State));
    }

    [Fact]
    public async Task Replaying_the_inbox_from_an_old_checkpoint_changes_nothing_twice()
    {
        await using var fx = new RuntimeFixture();
        var first = await fx.StartAsync("silo-a");
        var batch = Enumerable.Range(0, 30).Select(n => RuntimeFixture.Message($"r-{n % 4}", $"m{n}")).ToList();
        first.Notify(await fx.Store.AppendAsync(batch, CancellationToken.None));
        await fx.AllApplied(first).WaitAsync(Patience);
        await fx.StopAsync(first);

        var before = await StatesAsync(fx);
        fx.Sql("DELETE FROM checkpoint"); // as if every checkpoint had been lost: the whole inbox is replayed

        var second = await fx.StartAsync("silo-b");
        second.Notify(Enumerable.Range(0, fx.Map.Count).Select(p => new PartitionId(p)));
        await fx.AllApplied(second).WaitAsync(Patience);
        await fx.StopAsync(second);

        Assert.Equal(30, fx.Probe.Turns); // replayed messages were skipped, not re-applied
        Assert.Equal(before, await StatesAsync(fx));
    }

    [Fact]
    public async Task A_turn_that_throws_is_dead_lettered_and_the_rest_of_the_batch_still_applies()
    {
        await using var fx = new RuntimeFixture(partitions: 1);
        var runtime = await fx.StartAsync();
        runtime.Notify(await fx.Store.AppendAsync(
            [RuntimeFixture.Message("p-1", "a"), RuntimeFixture.Message("p-2", "x"), RuntimeFixture.Message("p-1", "throw"), RuntimeFixture.Message("p-1", "b")],
            CancellationToken.None));
        await fx.AllApplied(runtime).WaitAsync(Patience);

        var p1 = await fx.Store.LoadGrainAsync(new GrainId(RecordingGrain.Type, "p-1"), CancellationToken.None);
        var p2 = await fx.Store.LoadGrainAsync(new GrainId(RecordingGrain.Type, "p-2"), CancellationToken.None);
        Assert.Equal(["a", "b"], RecordingGrain.Read(p1!.State));
        Assert.Equal(["x"], RecordingGrain.Read(p2!.State));
        Assert.Equal([3L], fx.Sql("SELECT seq FROM dead_letters"));
    }

    [Fact]
    public async Task A_silo_fenced_out_by_a_newer_epoch_writes_nothing()
    {
        await using var fx = new RuntimeFixture(partitions: 1);
        var partition = new PartitionId(0);
        var stale = await fx.Store.AcquireAsync(partition, "old-owner", CancellationToken.None);
        var current = await fx.Store.AcquireAsync(partition, "new-owner", CancellationToken.None);
        Assert.Equal(stale.Epoch + 1, current.Epoch);

        var state = new GrainRecord(new GrainId(RecordingGrain.Type, "fenced"), partition, 1, "[\"stale\"]");
        await Assert.ThrowsAsync<LeaseLostException>(() =>
            fx.Store.FlushAsync(new PartitionFlush(stale, 1, [state], [], [], [], []), CancellationToken.None));
        Assert.Null(await fx.Store.LoadGrainAsync(state.Id, CancellationToken.None));
        Assert.Equal(0, await fx.Store.LoadCheckpointAsync(partition, CancellationToken.None));

        await fx.Store.FlushAsync(new PartitionFlush(current, 1, [state], [], [], [], []), CancellationToken.None);
        Assert.NotNull(await fx.Store.LoadGrainAsync(state.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Writes_combined_into_one_transaction_fail_alone()
    {
        await using var fx = new RuntimeFixture(partitions: 2);
        var stale = await fx.Store.AcquireAsync(new PartitionId(0), "old", CancellationToken.None);
        await fx.Store.AcquireAsync(new PartitionId(0), "new", CancellationToken.None);
        var owned = await fx.Store.AcquireAsync(new PartitionId(1), "new", CancellationToken.None);
        var lost = new GrainRecord(new GrainId(RecordingGrain.Type, "lost"), stale.Partition, 1, "[]");
        var kept = new GrainRecord(new GrainId(RecordingGrain.Type, "kept"), owned.Partition, 1, "[]");

        // Issued together, so the writer usually puts both in one transaction; either way only the fenced one fails.
        var fenced = fx.Store.FlushAsync(new PartitionFlush(stale, 1, [lost], [], [], [], []), CancellationToken.None);
        var good = fx.Store.FlushAsync(new PartitionFlush(owned, 1, [kept], [], [], [], []), CancellationToken.None);
        await Assert.ThrowsAsync<LeaseLostException>(() => fenced);
        await good;

        Assert.Null(await fx.Store.LoadGrainAsync(lost.Id, CancellationToken.None));
        Assert.NotNull(await fx.Store.LoadGrainAsync(kept.Id, CancellationToken.None));
        Assert.Equal([1L], fx.Sql("SELECT seq FROM checkpoint"));
    }

    [Fact]
    public void The_stable_hash_is_the_same_in_every_process()
    {
        // Fixed values: a change here would move every account to another partition in a running deployment.
        Assert.Equal(169726292613834034UL, StableHash.Hash("weibo-demo", "u-9"));
        Assert.Equal(50, StableHash.Partition("weibo-demo", "u-9", 128).Value);
        Assert.NotEqual(StableHash.Hash("ab", "c"), StableHash.Hash("a", "bc"));
        var counts = new int[128];
        for (var i = 0; i < 128_000; i++)
        {
            counts[StableHash.Partition("p", "acct-" + i, 128).Value]++;
        }
        Assert.InRange(counts.Min(), 850, 1000);
        Assert.InRange(counts.Max(), 1000, 1150);
    }

    private static async Task<Dictionary<string, string>> StatesAsync(RuntimeFixture fx)
    {
        var states = new Dictionary<string, string>();
        for (var n = 0; n < 4; n++)
        {
            var record = await fx.Store.LoadGrainAsync(new GrainId(RecordingGrain.Type, $"r-{n}"), CancellationToken.None);
            states[$"r-{n}"] = record!.State;
        }
        return states;
    }
}
