using Cluster.Storage.Tests.Streams;

namespace Cluster.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStreamDeliveryTests(PostgresServer server) : StreamDeliveryContract(new PostgresBackend(server));
