using System.Diagnostics;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.ClusterMode;
using Cluster.Tests.Http;
using Cluster.Tests.Process;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// Silo processes on one database share the 128 "posts" queues evenly through the lease-based balancer, as the
/// lease table shows and as each silo reports (cluster_stream_queues_owned): three silos 43 + 43 + 42, a fourth
/// joining 32 each, one stopped with SIGTERM handing its queues to the others after its drain. Posts stream through
/// every silo throughout, and each is decided exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueueSharingTests(PostgresServer server, ITestOutputHelper output) : ProcessClusterTest(server, output, queues: 128)
{
    [Fact]
    public async Task Three_silos_share_the_queues_evenly_a_fourth_takes_its_share_and_a_terminated_one_hands_its_queues_over_after_its_drain()
    {
        var clock = Stopwatch.StartNew();
        var three = (await Cluster.StartAsync(3)).ToList();
        Output.WriteLine($"three silos ready after {clock.Elapsed.TotalSeconds:F1} s");
        await UntilSharedAsync(three);

        var key = await three[0].Client(SiloProcess.AdminToken).CreatePlatformAsync("share");
        var load = new PostLoad(TimeSpan.FromMilliseconds(250));
        for (var i = 0; i < three.Count; i++)
        {
            load.Add(three[i].Client(key), $"s{i}");
        }
        await load.MoreAcknowledgedAsync(400, Limit);

        clock.Restart();
        var fourth = (await Cluster.StartAsync(1))[0];
        var ready = clock.Elapsed;
        load.Add(fourth.Client(key), "s3");
        List<SiloProcess> four = [.. three, fourth];
        await UntilSharedAsync(four);
        Output.WriteLine($"a fourth silo: ready after {ready.TotalSeconds:F1} s, 32 queues each {clock.Elapsed.TotalSeconds:F1} s after it began to start");
        await load.MoreAcknowledgedAsync(400, Limit);

        var leaving = three[1];
        var leftBehind = await ProcessCluster.QueuesOwnedAsync(leaving);
        Assert.Equal(32, leftBehind);
        clock.Restart();
        var exit = leaving.TerminateAsync();
        List<SiloProcess> remaining = [.. four.Where(s => s != leaving)];
        var handedOver = await UntilSharedAsync(remaining);
        Assert.Equal(0, await exit);
        Output.WriteLine($"SIGTERM: the other three hold all queues {handedOver.TotalSeconds:F1} s after the signal (drain included); " +
            $"the process exited after {clock.Elapsed.TotalSeconds:F1} s");
        await load.MoreAcknowledgedAsync(400, Limit);

        await load.StopAsync();
        Output.WriteLine(load.Summary());
        // Refused only by the leaving silo: 503 (ingest closed for its drain) with a problem body, or no answer once it was gone.
        Assert.All(load.Refused, a => Assert.True(a.Writer == "s1" && a.Status is 0 or 503, $"{a.Writer} {a.Status}: {a.Body}"));
        Assert.All(load.Refused.Where(a => a.Status == 503), a => Assert.Equal("application/problem+json", a.MediaType));
        await ExactlyOnce.AssertAsync(Database, "share", load, remaining[0].Client(key), Limit);
    }

    /// <summary>Waits until the silos share the queues (<see cref="ProcessCluster.UntilSharedAsync"/>), each 128 / n or one more.</summary>
    private async Task<TimeSpan> UntilSharedAsync(IReadOnlyList<SiloProcess> silos)
    {
        var (took, leases) = await Cluster.UntilSharedAsync(silos, Limit);
        var share = Queues / silos.Count;
        Assert.All(silos, s => Assert.InRange(leases[s.SiloPort], share, share + 1));
        Output.WriteLine($"{silos.Count} silos: {ProcessCluster.Describe(leases)} queues");
        return took;
    }
}
