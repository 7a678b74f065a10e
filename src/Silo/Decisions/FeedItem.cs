using Cluster.Grains.Decisions;

namespace Cluster.Silo.Decisions;

/// <summary>One entry of GET /v1/decisions: a decision on one version of a post; the cursor is opaque (<see cref="FeedCursor"/>).</summary>
public sealed record FeedItem(
    string Cursor,
    string DecisionId,
    string PostId,
    int Version,
    string Account,
    string Action,
    IReadOnlyList<DecisionLabel> Labels,
    string Source,
    string? Reviewer,
    DateTimeOffset DecidedAt,
    string? Supersedes,
    double RiskScore,
    string AccountStatus,
    Debunk? Debunk,
    long? PolicyVersion);

public sealed record FeedPage(IReadOnlyList<FeedItem> Decisions, string Next);
