using Cluster.Grains.Decisions;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>
/// The persisted JSON of a decision row's non-key fields. V lets a newer silo read older rows; Policy (the version of the
/// platform policy a machine decision applied) is absent from rows written before it was recorded.
/// </summary>
internal sealed record DecisionBody(
    int V, IReadOnlyList<DecisionLabel> Labels, double RiskScore, string AccountStatus, Debunk? Debunk, long? Policy = null)
{
    public static DecisionBody Of(DecisionRecord d) => new(1, d.Labels, d.RiskScore, d.AccountStatus, d.Debunk, d.PolicyVersion);
}
