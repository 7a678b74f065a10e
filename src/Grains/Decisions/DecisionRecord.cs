namespace Cluster.Grains.Decisions;

/// <summary>
/// One row of a platform's decisions feed. Machine decisions have id "m-{partition}-{seq}" and human ones
/// "h-{partition}-{seq}": derived from the inbox message, so a replayed turn produces the same id and the
/// store's unique key turns a second write into a no-op.
/// </summary>
public sealed record DecisionRecord(
    string DecisionId,
    string Platform,
    string PostId,
    string Account,
    string Action,
    string Source,
    string? Reviewer,
    DateTimeOffset DecidedAt,
    string? Supersedes,
    IReadOnlyList<DecisionLabel> Labels,
    double RiskScore,
    string AccountStatus,
    Debunk? Debunk);
