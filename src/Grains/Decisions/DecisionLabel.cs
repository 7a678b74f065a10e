namespace Cluster.Grains.Decisions;

public sealed record DecisionLabel(string Category, double Score, IReadOnlyList<Evidence> Evidence);
