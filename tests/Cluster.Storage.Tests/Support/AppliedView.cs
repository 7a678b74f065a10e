namespace Cluster.Storage.Tests.Support;

[GenerateSerializer, Immutable]
public sealed record AppliedView([property: Id(0)] IReadOnlyList<int> Applied, [property: Id(1)] long LastSeq, [property: Id(2)] Guid Activation,
    [property: Id(3)] int Counter);
