using Cluster.Storage.Tests.Postgres;

namespace Cluster.Tests.ClusterMode;

/// <summary>The cluster-mode tests share one throwaway PostgreSQL server; each test creates its own database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
