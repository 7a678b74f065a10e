using Cluster.Storage.Tests.Facts;

namespace Cluster.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresFactsStoreTests(PostgresServer server) : FactsStoreContract(new PostgresBackend(server));
