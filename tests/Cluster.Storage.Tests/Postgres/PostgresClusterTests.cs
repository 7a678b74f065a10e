using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>Two silos, one in this process and one in a child process, clustered through the PostgreSQL membership table.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresServer server, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);
    private readonly string _connectionString = server.CreateDatabase();

    public void Dispose() => server.DropDatabase(_connectionString);

    [Fact]
    public async Task Two_silos_form_a_cluster_and_a_silo_killed_hard_is_declared_dead_within_seconds()
    {
        var clusterId = $"c{Guid.NewGuid():N}";
        var ports = FreePorts(4);
        using var local = PostgresSiloHost.Build(_connectionString, clusterId, ports[0], ports[1]);
        await TestCluster.Within(local.StartAsync(), Start, () => "the local silo did not start");
        var membership = local.Services.GetRequiredService<IClusterMembershipService>();
        var joined = Until(membership, s => s.Members.Values.Count(m => m.Status == SiloStatus.Active) == 2);

        using var child = StartChild(clusterId, ports[2], ports[3]);
        try
        {
            await TestCluster.Within(joined, Start, () => $"no two active silos; the local silo sees {membership.CurrentSnapshot}");
            var remote = membership.CurrentSnapshot.Members.Values.Single(m => m.SiloAddress.Endpoint.Port == ports[2]).SiloAddress;
            Assert.Equal(2, ActiveRows(clusterId));

            var dead = Until(membership, s => s.GetSiloStatus(remote) == SiloStatus.Dead);
            var clock = Stopwatch.StartNew();
            child.Kill();
            await TestCluster.Within(dead, TimeSpan.FromSeconds(10), () => $"the killed silo is not dead after 10 s; the local silo sees {membership.CurrentSnapshot}");
            clock.Stop();
            output.WriteLine($"killed silo declared dead after {clock.Elapsed.TotalSeconds:F2} s");

            Assert.Equal(1, ActiveRows(clusterId));
            Assert.Equal((int)SiloStatus.Dead, RowStatus(clusterId, ports[2]));
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
            await local.StopAsync();
        }
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

    private Process StartChild(string clusterId, int siloPort, int gatewayPort)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { typeof(SiloProcess).Assembly.Location, "silo", _connectionString, clusterId, $"{siloPort}", $"{gatewayPort}" })
        {
            start.ArgumentList.Add(a);
        }
        var child = Process.Start(start) ?? throw new InvalidOperationException("the child silo did not start");
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine($"child: {e.Data}");
            }
        };
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine($"child: {e.Data}");
            }
        };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        return child;
    }

    private long ActiveRows(string clusterId) =>
        Scalar<long>($"SELECT count(*) FROM orleans_membership WHERE cluster_id = '{clusterId}' AND status = {(int)SiloStatus.Active}");

    private int RowStatus(string clusterId, int port) =>
        Scalar<int>($"SELECT status FROM orleans_membership WHERE cluster_id = '{clusterId}' AND port = {port}");

    private T Scalar<T>(string sql)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        return (T)cmd.ExecuteScalar()!;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
