using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.ClusterMode;
using Cluster.Tests.Http;
using Cluster.Tests.Process;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// One of three silo processes SIGKILLed while posts stream through all three: nobody releases its leases, so the
/// two others take its queues once membership has declared it dead and its leases have run out. Every post a silo
/// acknowledged with 202, the killed one included, is decided exactly once, and no account counts a post twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloKillTests(PostgresServer server, ITestOutputHelper output) : ProcessClusterTest(server, output, queues: 32)
{
    [Fact]
    public async Task A_silo_killed_under_load_has_its_queues_taken_over_within_seconds_and_every_acknowledged_post_is_decided_once()
    {
        var silos = await Cluster.StartAsync(3);
        var (_, before) = await Cluster.UntilSharedAsync(silos, Limit);
        var key = await silos[0].Client(SiloProcess.AdminToken).CreatePlatformAsync("kill");
        var load = new PostLoad(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < silos.Length; i++)
        {
            load.Add(silos[i].Client(key), $"s{i}");
        }
        await load.MoreAcknowledgedAsync(600, Limit);

        var victim = silos[2];
        List<SiloProcess> survivors = [silos[0], silos[1]];
        var dead = Cluster.UntilDeclaredDeadAsync(victim, TimeSpan.FromSeconds(15));
        await victim.KillAsync(); // its writer has requests in flight
        var (takenOver, after) = await Cluster.UntilSharedAsync(survivors, TimeSpan.FromSeconds(15));
        Output.WriteLine($"SIGKILL of a silo holding {before[victim.SiloPort]} of {Queues} queues: declared dead after {(await dead).TotalSeconds:F1} s, " +
            $"its queues held by the other two {takenOver.TotalSeconds:F1} s after the kill ({ProcessCluster.Describe(after)})");
        Assert.Equal(137, victim.ExitCode);

        await load.MoreAcknowledgedAsync(600, Limit);
        await load.StopAsync();
        Output.WriteLine(load.Summary());
        // Only the killed silo's writer went unanswered; the others were answered 202 throughout.
        Assert.All(load.Refused, a => Assert.True(a.Writer == "s2" && a.Status == 0, $"{a.Writer} {a.Status}: {a.Body}"));
        await ExactlyOnce.AssertAsync(Database, "kill", load, survivors[0].Client(key), Limit);
    }
}
