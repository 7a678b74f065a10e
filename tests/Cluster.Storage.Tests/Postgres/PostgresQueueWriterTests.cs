using Cluster.Storage.Tests.Streams;

namespace Cluster.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueWriterTests(PostgresServer server) : QueueWriterContract(new PostgresBackend(server));
