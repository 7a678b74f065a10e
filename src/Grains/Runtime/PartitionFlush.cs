using Cluster.Grains.Decisions;
using Cluster.Grains.Review;

namespace Cluster.Grains.Runtime;

/// <summary>
/// Everything one pump of a partition produced. The store writes all of it, and the checkpoint, in ONE
/// transaction fenced by the lease epoch: state and position move together or not at all.
/// </summary>
public sealed record PartitionFlush(
    PartitionLease Lease,
    long Checkpoint,
    IReadOnlyList<GrainRecord> States,
    IReadOnlyList<DecisionRecord> Decisions,
    IReadOnlyList<ReviewItemRecord> ReviewItems,
    IReadOnlyList<InboxMessage> Sends,
    IReadOnlyList<DeadLetter> DeadLetters);
