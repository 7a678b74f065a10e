using System.Net;
using Cluster.Storage.Hosting;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// A silo on PostgreSQL clustering with the failure-detection settings of a one-machine cluster (docs/storage.md);
/// <paramref name="configure"/> adds providers.
/// </summary>
internal static class PostgresSiloHost
{
    public static IHost Build(string connectionString, string clusterId, int siloPort, int gatewayPort, Action<ISiloBuilder>? configure = null) =>
        new HostBuilder()
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = "storage-tests";
                });
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                silo.UsePostgresClustering(o => o.ConnectionString = connectionString);
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    // Defaults (5 s, 3 probes) took 13–14 s to declare a killed silo dead; these take about one second.
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 2;
                });
                configure?.Invoke(silo);
            })
            .Build();
}
