using Cluster.Grains.Decisions;

namespace Cluster.Grains.Review;

/// <summary>
/// One version of a post escalated to human review, created by the AccountGrain in the flush that decided it. A newer
/// version of the post closes the item as superseded.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReviewItemRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Platform,
    [property: Id(2)] string Account,
    [property: Id(3)] string PostId,
    [property: Id(4)] int Version,
    [property: Id(5)] string Queue,
    [property: Id(6)] int Priority,
    [property: Id(7)] IReadOnlyList<DecisionLabel> Labels,
    [property: Id(8)] string MachineDecisionId,
    [property: Id(9)] DateTimeOffset CreatedAt);
