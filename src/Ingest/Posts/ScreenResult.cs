using Cluster.Grains.Decisions;

namespace Cluster.Ingest.Posts;

/// <summary>api-v1.md "Result": the decision in force for one post, and the version of the post it was made on.</summary>
public sealed record ScreenResult(
    string Id,
    string Action,
    IReadOnlyList<DecisionLabel> Labels,
    double RiskScore,
    string AccountStatus,
    string DecisionId,
    string Source,
    Debunk? Debunk,
    int Version,
    long? PolicyVersion)
{
    public static ScreenResult From(DecisionRecord d) =>
        new(d.PostId, d.Action, d.Labels, d.RiskScore, d.AccountStatus, d.DecisionId, d.Source, d.Debunk, d.Version, d.PolicyVersion);
}
