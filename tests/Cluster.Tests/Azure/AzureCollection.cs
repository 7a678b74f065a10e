using Cluster.Storage.Tests.Postgres;

namespace Cluster.Tests.Azure;

/// <summary>
/// The Azure Storage mode tests share one Azurite and one throwaway PostgreSQL server, and run one after another (both
/// emulator and silos are CPU-hungry on two cores). Each test gets its own database and its own service and cluster
/// ids (<see cref="AzureDeployment"/>), so their queues, grain-state container and membership rows are apart.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzureCollection : ICollectionFixture<AzuriteServer>, ICollectionFixture<PostgresServer>
{
    public const string Name = "azure";
}
