using Cluster.Grains.Decisions;

namespace Cluster.Silo.Decisions;

/// <summary>One entry of GET /v1/decisions.</summary>
public sealed record FeedItem(
    string Cursor,
    string DecisionId,
    string PostId,
    string Account,
    string Action,
    IReadOnlyList<DecisionLabel> Labels,
    string Source,
    string? Reviewer,
    DateTimeOffset DecidedAt,
    string? Supersedes,
    double RiskScore,
    string AccountStatus,
    Debunk? Debunk);

public sealed record FeedPage(IReadOnlyList<FeedItem> Decisions, string Next);
