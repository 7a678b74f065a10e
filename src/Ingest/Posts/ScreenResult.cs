using Cluster.Grains.Decisions;

namespace Cluster.Ingest.Posts;

/// <summary>api-v1.md "Result": the decision in force for one post.</summary>
public sealed record ScreenResult(
    string Id,
    string Action,
    IReadOnlyList<DecisionLabel> Labels,
    double RiskScore,
    string AccountStatus,
    string DecisionId,
    string Source,
    Debunk? Debunk)
{
    public static ScreenResult From(DecisionRecord d) =>
        new(d.PostId, d.Action, d.Labels, d.RiskScore, d.AccountStatus, d.DecisionId, d.Source, d.Debunk);
}
