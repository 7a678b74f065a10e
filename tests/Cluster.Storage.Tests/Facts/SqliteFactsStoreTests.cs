using Cluster.Storage.Tests.Support;

namespace Cluster.Storage.Tests.Facts;

public sealed class SqliteFactsStoreTests() : FactsStoreContract(new SqliteBackend());
