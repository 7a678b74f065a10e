using Cluster.Storage.Tests.Support;

namespace Cluster.Storage.Tests.GrainState;

public sealed class SqliteGrainStorageTests() : GrainStorageContract(new SqliteBackend());
