using System.Text;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Storage.Tests.GrainState;

/// <summary>The grain storage contract, run against every backend by the derived classes.</summary>
public abstract class GrainStorageContract : IDisposable
{
    private readonly Backend _backend;

    private protected GrainStorageContract(Backend backend) => _backend = backend;

    public void Dispose() => _backend.Dispose();

    [Fact]
    public async Task A_write_with_a_stale_etag_throws_InconsistentStateException_and_changes_nothing()
    {
        using var db = _backend.OpenStandalone();
        var storage = db.GrainStorage;
        var id = GrainId.Create("test", "g1");
        var fresh = new GrainState<AppliedState>();
        var stale = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, fresh);
        await storage.ReadStateAsync("s", id, stale);
        Assert.False(fresh.RecordExists);

        fresh.State!.Counter = 1;
        await storage.WriteStateAsync("s", id, fresh);
        stale.State!.Counter = 99;
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", id, stale));
        Assert.Equal(fresh.ETag, ex.StoredEtag);

        fresh.State!.Counter = 2;
        await storage.WriteStateAsync("s", id, fresh);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", id, stale));
        var read = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, read);
        Assert.Equal(2, read.State!.Counter);
        Assert.Equal(fresh.ETag, read.ETag);
    }

    [Fact]
    public async Task A_cleared_state_keeps_its_etag_moving_so_an_older_holder_cannot_write()
    {
        using var db = _backend.OpenStandalone();
        var storage = db.GrainStorage;
        var id = GrainId.Create("test", "g2");
        var a = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, a);
        await storage.WriteStateAsync("s", id, a);
        var old = new GrainState<AppliedState> { ETag = a.ETag, State = new AppliedState() };

        await storage.ClearStateAsync("s", id, a);
        var b = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, b);
        Assert.False(b.RecordExists);
        await storage.WriteStateAsync("s", id, b);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", id, old));
    }

    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_one_transaction_and_a_stale_one_fails_alone()
    {
        using var db = _backend.OpenStandalone();
        var storage = db.GrainStorage;
        var stale = new GrainState<AppliedState> { ETag = "41", State = new AppliedState() };
        await storage.WriteStateAsync("s", GrainId.Create("test", "victim"), new GrainState<AppliedState> { State = new AppliedState() });

        // Hold the writer so that every write below is queued before it takes the next batch.
        using var gate = new ManualResetEventSlim();
        using var holding = new ManualResetEventSlim();
        var holder = db.StateWriter.WriteAsync((_, _) =>
        {
            holding.Set();
            return gate.Wait(TimeSpan.FromSeconds(30));
        });
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)), "the writer did not start the holding request");
        var before = db.StateWriter.Transactions;
        var writes = Enumerable.Range(0, 200).Select(i =>
            storage.WriteStateAsync("s", GrainId.Create("test", $"g{i}"), new GrainState<AppliedState> { State = new AppliedState { Counter = i } })).ToList();
        var staleWrite = storage.WriteStateAsync("s", GrainId.Create("test", "victim"), stale);
        gate.Set();
        Assert.True(await holder);
        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrite);

        Assert.Equal(2, db.StateWriter.Transactions - before); // the holder's, then all 201 requests in one
        for (var i = 0; i < 200; i += 37)
        {
            var read = new GrainState<AppliedState>();
            await storage.ReadStateAsync("s", GrainId.Create("test", $"g{i}"), read);
            Assert.Equal(i, read.State!.Counter);
        }
    }

    [Fact]
    public async Task Two_writes_of_one_grain_with_the_same_etag_in_one_transaction_store_the_first_and_fail_the_second()
    {
        using var db = _backend.OpenStandalone();
        var storage = db.GrainStorage;
        var id = GrainId.Create("test", "twice");
        var created = new GrainState<AppliedState> { State = new AppliedState() };
        await storage.WriteStateAsync("s", id, created);
        var first = new GrainState<AppliedState> { ETag = created.ETag, State = new AppliedState { Counter = 1 } };
        var second = new GrainState<AppliedState> { ETag = created.ETag, State = new AppliedState { Counter = 2 } };

        using var gate = new ManualResetEventSlim();
        using var holding = new ManualResetEventSlim();
        var holder = db.StateWriter.WriteAsync((_, _) =>
        {
            holding.Set();
            return gate.Wait(TimeSpan.FromSeconds(30));
        });
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)), "the writer did not start the holding request");
        var before = db.StateWriter.Transactions;
        var a = storage.WriteStateAsync("s", id, first);
        var b = storage.WriteStateAsync("s", id, second);
        gate.Set();
        Assert.True(await holder);

        await a;
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => b);
        Assert.Equal(first.ETag, ex.StoredEtag);
        Assert.Equal(2, db.StateWriter.Transactions - before);
        var read = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, read);
        Assert.Equal(1, read.State!.Counter);
    }

    [Fact]
    public async Task A_row_written_by_an_older_shape_still_reads()
    {
        using var db = _backend.OpenStandalone();
        var storage = db.GrainStorage;
        var id = GrainId.Create("test", "old");
        // Version 1 of a state without Counter, and with a member this build no longer has.
        await db.ExecuteAsync("""
            INSERT INTO orleans_grain_state (grain_type, grain_key, state_name, etag, state, updated_at) VALUES (@t, @k, 's', 7, @s, @at)
            """,
            ("@t", id.Type.ToString()!), ("@k", id.Key.ToString()!),
            ("@s", Encoding.UTF8.GetBytes("""{"Version":1,"LastSeq":3,"Applied":[1,2],"Retired":"x"}""")),
            ("@at", _backend.Timestamp(DateTimeOffset.UtcNow)));

        var read = new GrainState<AppliedState>();
        await storage.ReadStateAsync("s", id, read);

        Assert.True(read.RecordExists);
        Assert.Equal("7", read.ETag);
        Assert.Equal(1, read.State!.Version);
        Assert.Equal(3, read.State!.LastSeq);
        Assert.Equal([1, 2], read.State!.Applied);
        Assert.Equal(0, read.State!.Counter);
    }

    [Fact]
    public async Task A_stale_activation_fails_its_write_and_is_deactivated_and_an_idle_one_is_collected_and_reloads()
    {
        await using var cluster = await TestCluster.StartAsync(_backend);
        var grain = cluster.Client.GetGrain<IPostsTestGrain>("storage/g1");
        Assert.Equal(1, await grain.IncrementAsync());
        var first = await grain.ViewAsync();

        // Another writer (a second activation after a partition, say) moves the stored state on.
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TestCluster.Provider);
        var behind = new GrainState<AppliedState>();
        await storage.ReadStateAsync("applied", grain.GetGrainId(), behind);
        behind.State!.Counter = 100;
        await storage.WriteStateAsync("applied", grain.GetGrainId(), behind);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.IncrementAsync());
        var second = await grain.ViewAsync();
        Assert.NotEqual(first.Activation, second.Activation);
        Assert.Equal(100, second.Counter);
        Assert.Equal(101, await grain.IncrementAsync());

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var third = await grain.ViewAsync();
        Assert.NotEqual(second.Activation, third.Activation);
        Assert.Equal(101, third.Counter);
    }
}
