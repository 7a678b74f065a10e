using Cluster.Grains.Decisions;

namespace Cluster.Grains.Review;

/// <summary>A post escalated to human review, created by the AccountGrain in the flush that decided it.</summary>
public sealed record ReviewItemRecord(
    string Id,
    string Platform,
    string Account,
    string PostId,
    string Queue,
    int Priority,
    IReadOnlyList<DecisionLabel> Labels,
    string MachineDecisionId,
    DateTimeOffset CreatedAt);
