namespace Cluster.Storage.Tests.Postgres;

/// <summary>Every PostgreSQL test shares one throwaway server; each test creates its own database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
