using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cluster.Storage.Postgres;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// The 128 queues of the PostgreSQL stream provider spread over silos by Orleans' lease-based queue balancer with the
/// default lease timings (<see cref="PostgresQueueLeaseOptions"/>). Silos are hosts of their own in this process, whose
/// pulling agents <see cref="PullingAgents"/> follows, and one child process, whose queues the lease table shows.
/// Every event appended is applied exactly once, in order, by the test grain, across joins, a stop and a kill.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueBalancingTests(PostgresServer server, ITestOutputHelper output) : IDisposable
{
    private const int Queues = 128;
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _connectionString = server.CreateDatabase();
    private readonly string _clusterId = $"c{Guid.NewGuid():N}";
    private readonly List<IHost> _hosts = [];

    public void Dispose() => server.DropDatabase(_connectionString);

    [Fact]
    public async Task Joining_silos_take_their_share_of_the_queues_and_a_stopping_silo_releases_its_share_to_the_others()
    {
        var probe = TestProbe.Start(streams: 48, perStream: 30);
        using var agents = new PullingAgents(TestCluster.Provider);
        var ports = FreePorts(6);
        try
        {
            var first = await StartSiloAsync(ports[0], ports[1]);
            var a = Address(first);
            await TestCluster.Within(agents.Until(s => PullingAgents.Shared(s, [a], Queues)), Limit, agents.Describe);
            await AppendAsync(first, probe, firstEvent: 0, perStream: 10);

            var clock = Stopwatch.StartNew();
            var second = await StartSiloAsync(ports[2], ports[3]);
            var b = Address(second);
            await TestCluster.Within(agents.Until(s => PullingAgents.Shared(s, [a, b], Queues)), Limit, agents.Describe);
            output.WriteLine($"two silos read 64 + 64 queues {clock.Elapsed.TotalSeconds:F2} s after the second began to start");
            await LeasesFollowAgentsAsync(agents, a, b);
            await AppendAsync(first, probe, firstEvent: 10, perStream: 10);

            clock.Restart();
            var third = await StartSiloAsync(ports[4], ports[5]);
            var c = Address(third);
            await TestCluster.Within(agents.Until(s => PullingAgents.Shared(s, [a, b, c], Queues)), Limit, agents.Describe);
            output.WriteLine($"three silos read {agents.Of(a).Count} + {agents.Of(b).Count} + {agents.Of(c).Count} queues " +
                $"{clock.Elapsed.TotalSeconds:F2} s after the third began to start");
            await LeasesFollowAgentsAsync(agents, a, b, c);
            await AppendAsync(first, probe, firstEvent: 20, perStream: 10);

            var handedOver = agents.Until(s => PullingAgents.Shared(s, [a, b], Queues) && (!s.TryGetValue(c, out var q) || q.Count == 0));
            clock.Restart();
            await third.StopAsync();
            var stopped = clock.Elapsed;
            // Released when the silo stopped its agents, not left to run out: the others need not wait a lease length.
            Assert.DoesNotContain(c.ToString(), Leases().Values.Select(l => l.Owner));
            await TestCluster.Within(handedOver, Limit, agents.Describe);
            output.WriteLine($"the stopped silo's queues were read by the other two {clock.Elapsed.TotalSeconds:F2} s after the stop began " +
                $"(the stop took {stopped.TotalSeconds:F2} s)");
            await LeasesFollowAgentsAsync(agents, a, b);

            await TestCluster.Within(probe.Complete, Limit, probe.Describe);
            await AssertAppliedOnceInOrderAsync(first, probe);
            await TestCluster.Until(() => CountRows() == 0, Limit, () => $"{CountRows()} rows left after every event was applied");
        }
        finally
        {
            await StopAllAsync();
        }
    }

    [Fact]
    public async Task A_killed_silos_queues_are_taken_over_once_its_leases_run_out_and_every_event_is_applied_once()
    {
        var probe = TestProbe.Start(streams: 48, perStream: 40);
        probe.ReachedAt = 150;
        using var agents = new PullingAgents(TestCluster.Provider);
        var ports = FreePorts(6);
        using var child = ChildSilo.Start(output, "silo", _connectionString, _clusterId, $"{ports[0]}", $"{ports[1]}", "streams");
        try
        {
            var first = await StartSiloAsync(ports[2], ports[3]);
            var second = await StartSiloAsync(ports[4], ports[5]);
            var (a, b) = (Address(first), Address(second));
            var membership = first.Services.GetRequiredService<IClusterMembershipService>();
            await TestCluster.Within(Until(membership, s => s.Members.Values.Count(m => m.Status == SiloStatus.Active) == 3), Start,
                () => $"no three active silos; the first sees {membership.CurrentSnapshot}");
            var killed = membership.CurrentSnapshot.Members.Values.Single(m => m.SiloAddress.Endpoint.Port == ports[0]).SiloAddress;
            // The two silos here read their shares of a three-way split, the child leases the rest.
            await TestCluster.Until(() => Shared([agents.Of(a), agents.Of(b), LeasedTo(killed)]), Limit,
                () => $"{agents.Describe()}; the child leases {LeasedTo(killed).Count} queues");
            var childQueues = LeasedTo(killed);
            output.WriteLine($"three silos read {agents.Of(a).Count} + {agents.Of(b).Count} + {childQueues.Count} (child) queues");

            await AppendAsync(first, probe, firstEvent: 0, perStream: 20);
            await TestCluster.Within(probe.Reached, Limit, probe.Describe);
            var dead = Until(membership, s => s.GetSiloStatus(killed) == SiloStatus.Dead);
            var takenOver = agents.Until(s => PullingAgents.Shared(s, [a, b], Queues));
            var clock = Stopwatch.StartNew();
            child.Kill();
            await child.WaitForExitAsync();
            // The child's leases as it left them: nobody may take one before it runs out.
            var left = Leases(all: true).Where(l => childQueues.Contains(l.Key)).ToDictionary(l => l.Key, l => l.Value.ExpiresAt);
            Assert.True(CountRows($"queue IN ({string.Join(", ", childQueues)})") > 0, "the kill should have left rows of the child's queues unacknowledged");
            await TestCluster.Within(dead, TimeSpan.FromSeconds(10), () => $"the killed silo is not dead after 10 s; the first sees {membership.CurrentSnapshot}");
            var declaredDead = clock.Elapsed;
            await TestCluster.Within(takenOver, TimeSpan.FromSeconds(15), agents.Describe);
            output.WriteLine($"killed silo declared dead after {declaredDead.TotalSeconds:F2} s, its {childQueues.Count} queues read by the other two " +
                $"after {clock.Elapsed.TotalSeconds:F2} s");

            var now = Leases(all: true);
            foreach (var (queue, expiresAt) in left)
            {
                Assert.True(now[queue].AcquiredAt >= expiresAt, $"queue {queue} was leased again at {now[queue].AcquiredAt:O}, before its lease ran out at {expiresAt:O}");
                Assert.Contains(now[queue].Owner, new[] { a.ToString(), b.ToString() });
            }
            await LeasesFollowAgentsAsync(agents, a, b);

            await AppendAsync(first, probe, firstEvent: 20, perStream: 20);
            await TestCluster.Within(probe.Complete, Limit, probe.Describe);
            await AssertAppliedOnceInOrderAsync(first, probe);
            await TestCluster.Until(() => CountRows() == 0, Limit, () => $"{CountRows()} rows left after every event was applied");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
            await StopAllAsync();
        }
    }

    /// <summary>Each set holds its even share of the queues (n/k or one more), no queue in two sets, none in none.</summary>
    private static bool Shared(IReadOnlyList<IReadOnlySet<uint>> sets)
    {
        var share = Queues / sets.Count;
        return sets.Sum(s => s.Count) == Queues && sets.SelectMany(s => s).Distinct().Count() == Queues &&
            sets.All(s => s.Count == share || s.Count == share + 1);
    }

    private async Task<IHost> StartSiloAsync(int siloPort, int gatewayPort)
    {
        var host = PostgresSiloHost.Build(_connectionString, _clusterId, siloPort, gatewayPort, s => PostgresStreamSilo.AddProviders(s, _connectionString));
        _hosts.Add(host);
        await TestCluster.Within(host.StartAsync(), Start, () => $"the silo on port {siloPort} did not start");
        return host;
    }

    private async Task StopAllAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        _hosts.Clear();
    }

    private static SiloAddress Address(IHost host) => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Appends events firstEvent.. of every stream of the probe, one transaction per stream, through a silo's queue writer.</summary>
    private static async Task AppendAsync(IHost silo, TestProbe probe, int firstEvent, int perStream)
    {
        var writer = silo.Services.GetRequiredKeyedService<PostgresQueueWriter>(TestCluster.Provider);
        var items = Enumerable.Range(0, probe.Streams)
            .Select(s => (StreamId.Create(TestCluster.Namespace, probe.Key(s)), Enumerable.Range(firstEvent, perStream).Select(n => (object)new TestEvent(n)).ToArray()))
            .ToList();
        await writer.AppendAsync(items);
    }

    private static async Task AssertAppliedOnceInOrderAsync(IHost silo, TestProbe probe)
    {
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        for (var s = 0; s < probe.Streams; s++)
        {
            var view = await grains.GetGrain<IPostsTestGrain>(probe.Key(s)).ViewAsync();
            Assert.Equal(Enumerable.Range(0, probe.PerStream), view.Applied);
        }
    }

    /// <summary>
    /// The live leases are exactly the queues the silos' agents read. Bounded wait: a balancer releases a lease before
    /// its agent stops and starts an agent after it leased the queue, so the two agree once the moves are done.
    /// </summary>
    private async Task LeasesFollowAgentsAsync(PullingAgents agents, params SiloAddress[] silos)
    {
        bool Agree() => silos.All(s => LeasedTo(s).SetEquals(agents.Of(s))) && silos.Sum(s => agents.Of(s).Count) == Queues;
        await TestCluster.Until(Agree, Limit,
            () => $"{agents.Describe()}; leases: {string.Join(", ", silos.Select(s => $"{s} {LeasedTo(s).Count}"))}");
    }

    private HashSet<uint> LeasedTo(SiloAddress silo) =>
        Leases().Where(l => l.Value.Owner == silo.ToString()).Select(l => l.Key).ToHashSet();

    /// <summary>Lease rows by queue number; only held and unexpired ones unless <paramref name="all"/>.</summary>
    private Dictionary<uint, (string? Owner, DateTime AcquiredAt, DateTime ExpiresAt)> Leases(bool all = false)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"""
            SELECT resource_key, owner, acquired_at, expires_at FROM orleans_lease
            {(all ? "" : "WHERE token IS NOT NULL AND expires_at > now()")}
            """, c);
        using var r = cmd.ExecuteReader();
        var leases = new Dictionary<uint, (string?, DateTime, DateTime)>();
        while (r.Read())
        {
            var key = r.GetString(0); // the queue id: "<provider>-<n>"
            leases[uint.Parse(key[(key.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture)] =
                (r.IsDBNull(1) ? null : r.GetString(1), r.GetDateTime(2), r.GetDateTime(3));
        }
        return leases;
    }

    private long CountRows(string? where = null)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM stream_message {(where is null ? "" : "WHERE " + where)}", c);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Completes with the first membership snapshot (the current one included) that satisfies <paramref name="condition"/>.</summary>
    private static Task Until(IClusterMembershipService membership, Func<ClusterMembershipSnapshot, bool> condition) =>
        Task.Run(async () =>
        {
            await foreach (var snapshot in membership.MembershipUpdates)
            {
                if (condition(snapshot))
                {
                    return;
                }
            }
        });

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
