using System.Diagnostics;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.ClusterMode;
using Cluster.Tests.Http;
using Cluster.Tests.Process;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// One of three silo processes stopped with SIGSTOP while posts stream through all three, left stopped past its leases
/// and past membership's death declaration, then resumed with SIGCONT. Meanwhile the two others took its queues and
/// its grains; whatever the resumed silo still had in flight (reads of queues it no longer leases, state writes with
/// the ETags it read before the pause) must not apply anything twice: every acknowledged post is decided exactly once.
/// Orleans stops a silo that learns it was declared dead, so the resumed silo exits rather than rejoining.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloPauseTests(PostgresServer server, ITestOutputHelper output) : ProcessClusterTest(server, output, queues: 32)
{
    [Fact]
    public async Task A_silo_paused_past_its_lease_and_its_death_declaration_commits_nothing_stale_when_resumed()
    {
        var silos = await Cluster.StartAsync(3);
        await Cluster.UntilSharedAsync(silos, Limit);
        var key = await silos[0].Client(SiloProcess.AdminToken).CreatePlatformAsync("pause");
        var load = new PostLoad(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < silos.Length; i++)
        {
            load.Add(silos[i].Client(key), $"s{i}");
        }
        await load.MoreAcknowledgedAsync(600, Limit);

        var paused = silos[2];
        List<SiloProcess> others = [silos[0], silos[1]];
        var dead = Cluster.UntilDeclaredDeadAsync(paused, Limit);
        var clock = Stopwatch.StartNew();
        await paused.SignalAsync("STOP");
        var (takenOver, after) = await Cluster.UntilSharedAsync(others, Limit);
        var declared = await dead;
        // Past both by more than a lease length, with posts still flowing through the other two, and decided by them:
        // nothing the stopped process holds (row locks of a transaction it was in) stalls the others.
        var decidedBefore = ExactlyOnce.MachineDecisions(Database);
        await load.MoreAcknowledgedAsync(300, Limit);
        var decidedWhilePaused = await ProcessCluster.UntilAsync(() => Task.FromResult(ExactlyOnce.MachineDecisions(Database) >= decidedBefore + 300),
            Limit, () => $"{ExactlyOnce.MachineDecisions(Database) - decidedBefore} decisions while paused");
        var pausedFor = clock.Elapsed;

        clock.Restart();
        await paused.SignalAsync("CONT");
        // It learns when a peer refuses it or at its next periodic membership read (Orleans' TableRefreshTimeout, 60 s):
        // 2.7–44 s after SIGCONT here.
        await paused.Exited.WaitAsync(TimeSpan.FromSeconds(80));
        var exitedAfter = clock.Elapsed;
        Output.WriteLine($"SIGSTOP: declared dead after {declared.TotalSeconds:F1} s, its queues held by the other two after " +
            $"{takenOver.TotalSeconds:F1} s ({ProcessCluster.Describe(after)}), 300 more decisions {decidedWhilePaused.TotalSeconds:F1} s later; " +
            $"SIGCONT after {pausedFor.TotalSeconds:F1} s: " +
            $"the silo exited {exitedAfter.TotalSeconds:F1} s later with {paused.ExitCode}");
        // Orleans' reaction to finding itself dead in the membership table ("I should be Dead according to the membership
        // table"): Environment.FailFast, so SIGABRT, exit code 134, never a rejoin under the same identity.
        Assert.Equal(134, paused.ExitCode);
        Assert.True(Cluster.IsDeclaredDead(paused.SiloPort));
        Assert.DoesNotContain(paused.SiloPort, Cluster.Leases().Keys);

        await load.MoreAcknowledgedAsync(300, Limit);
        await load.StopAsync();
        Output.WriteLine(load.Summary());
        // Only the paused silo's writer was refused: its request waited through the pause and then got 503 (the server had
        // ended the group commit it was in, idle in its transaction past 5 s) or no answer (the process was gone).
        Assert.All(load.Refused, a => Assert.True(a.Writer == "s2" && a.Status is 0 or 503, $"{a.Writer} {a.Status}: {a.Body}"));
        await ExactlyOnce.AssertAsync(Database, "pause", load, others[0].Client(key), Limit);
    }
}
