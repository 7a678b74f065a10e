using Cluster.Storage.Tests.Support;

namespace Cluster.Storage.Tests.Streams;

/// <summary>
/// The stream provider's contract on a running cluster: order, exactly-once effects, pruning, restart. Run against
/// every backend by the derived classes.
/// </summary>
public abstract class StreamDeliveryContract : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly Backend _db;

    private protected StreamDeliveryContract(Backend backend) => _db = backend;

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Events_are_applied_once_each_in_order_per_stream_and_delivered_rows_are_pruned(short silos)
    {
        var probe = TestProbe.Start(streams: 40, perStream: 30);
        // Every 7th event fails once after its state write: the agent delivers it again, the dedupe mark skips it.
        probe.FailOnceAfterWrite = (_, n) => n % 7 == 3;
        await using var cluster = await TestCluster.StartAsync(_db, silos);

        await TestCluster.AppendAllAsync(_db, cluster, probe);
        await TestCluster.Within(probe.Complete, Limit, probe.Describe);

        for (var s = 0; s < probe.Streams; s++)
        {
            var view = await cluster.Client.GetGrain<IPostsTestGrain>(probe.Key(s)).ViewAsync();
            Assert.Equal(Enumerable.Range(0, probe.PerStream), view.Applied);
        }
        Assert.True(probe.Duplicates > 0, "the hook's redeliveries should have reached the dedupe mark");
        await TestCluster.Until(() => _db.CountRows() == 0, Limit,
            () => $"{_db.CountRows()} rows left after every event was applied");
    }

    [Fact]
    public async Task Every_event_is_applied_exactly_once_across_a_hard_stop_mid_delivery()
    {
        var probe = TestProbe.Start(streams: 30, perStream: 60);
        probe.ReachedAt = 300;
        await using (var first = await TestCluster.StartAsync(_db))
        {
            await TestCluster.AppendAllAsync(_db, first, probe);
            await TestCluster.Within(probe.Reached, Limit, probe.Describe);
            // Kill, not stop: no deactivation, no final acknowledgements; whatever was in flight is cut.
            await first.KillSiloAsync(first.Silos[0]);
        }
        Assert.True(_db.CountRows() > 0, "the stop should have left undelivered or unacknowledged rows");

        await using var second = await TestCluster.StartAsync(_db);
        await TestCluster.Within(probe.Complete, Limit, probe.Describe);
        for (var s = 0; s < probe.Streams; s++)
        {
            var view = await second.Client.GetGrain<IPostsTestGrain>(probe.Key(s)).ViewAsync();
            Assert.Equal(Enumerable.Range(0, probe.PerStream), view.Applied);
        }
        await TestCluster.Until(() => _db.CountRows() == 0, Limit,
            () => $"{_db.CountRows()} rows left after restart and full delivery");
    }

    [Fact]
    public async Task A_row_whose_delivery_failed_is_not_pruned()
    {
        var probe = TestProbe.Start(streams: 10, perStream: 20);
        var poisoned = probe.Key(3);
        probe.FailAlwaysBeforeWrite = (key, n) => key == poisoned && n == 5;
        probe.ReachedAt = probe.Streams * probe.PerStream - 1;
        await using var cluster = await TestCluster.StartAsync(_db, maxEventDeliveryTime: TimeSpan.FromSeconds(1));

        await TestCluster.AppendAllAsync(_db, cluster, probe);
        await TestCluster.Within(probe.Reached, Limit, probe.Describe);

        await TestCluster.Until(() => _db.CountRows() == 1, Limit,
            () => $"{_db.CountRows()} rows left; expected only the failed one");
        Assert.Equal(1, _db.CountRows($"stream_key = '{poisoned}'"));
        var view = await cluster.Client.GetGrain<IPostsTestGrain>(poisoned).ViewAsync();
        Assert.DoesNotContain(5, view.Applied);
        Assert.Equal(probe.PerStream - 1, view.Applied.Count);
    }

    [Fact]
    public async Task With_a_retention_delivered_rows_are_kept_and_not_delivered_again()
    {
        var probe = TestProbe.Start(streams: 5, perStream: 10);
        await using var cluster = await TestCluster.StartAsync(_db, retention: TimeSpan.FromHours(1));

        await TestCluster.AppendAllAsync(_db, cluster, probe);
        await TestCluster.Within(probe.Complete, Limit, probe.Describe);
        await TestCluster.Until(() => _db.CountRows("delivered_at IS NOT NULL") == 50, Limit,
            () => $"{_db.CountRows("delivered_at IS NOT NULL")} of 50 rows marked delivered");
        Assert.Equal(50, _db.CountRows());
    }
}
