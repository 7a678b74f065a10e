using Cluster.Grains.Decisions;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>The persisted JSON of a decision row's non-key fields. V lets a newer silo read older rows.</summary>
internal sealed record DecisionBody(int V, IReadOnlyList<DecisionLabel> Labels, double RiskScore, string AccountStatus, Debunk? Debunk);
