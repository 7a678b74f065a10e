namespace Cluster.Grains.Decisions;

[GenerateSerializer, Immutable]
public sealed record DecisionLabel([property: Id(0)] string Category, [property: Id(1)] double Score, [property: Id(2)] IReadOnlyList<Evidence> Evidence);
