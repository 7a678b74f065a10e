using Cluster.Storage.Tests.GrainState;

namespace Cluster.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresServer server) : GrainStorageContract(new PostgresBackend(server));
