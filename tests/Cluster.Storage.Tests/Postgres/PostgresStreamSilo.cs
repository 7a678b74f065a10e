using Cluster.Storage.Hosting;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// The stream provider and grain storage of the delivery contract (<see cref="TestCluster.Provider"/>) on a
/// <see cref="PostgresSiloHost"/>, with the queue lease defaults, for tests whose silos run as hosts and processes of
/// their own rather than in an InProcessTestCluster.
/// </summary>
internal static class PostgresStreamSilo
{
    public static void AddProviders(ISiloBuilder silo, string connectionString)
    {
        // As in TestCluster: the test grain is the only "posts" consumer.
        silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(t => t.Assembly == typeof(Cluster.Grains.ClusterClock).Assembly));
        silo.AddPostgresStreams(TestCluster.Provider, o => o.ConnectionString = connectionString);
        silo.AddPostgresGrainStorage(TestCluster.Provider, o => o.ConnectionString = connectionString);
    }
}
