using Cluster.Storage.Tests.Support;

namespace Cluster.Storage.Tests.Streams;

public sealed class SqliteStreamDeliveryTests() : StreamDeliveryContract(new SqliteBackend());
