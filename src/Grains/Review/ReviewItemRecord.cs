using Cluster.Grains.Decisions;

namespace Cluster.Grains.Review;

/// <summary>
/// One version of a post escalated to human review, created by the AccountGrain in the flush that decided it. A newer
/// version of the post closes the item as superseded.
/// </summary>
public sealed record ReviewItemRecord(
    string Id,
    string Platform,
    string Account,
    string PostId,
    int Version,
    string Queue,
    int Priority,
    IReadOnlyList<DecisionLabel> Labels,
    string MachineDecisionId,
    DateTimeOffset CreatedAt);
