using Cluster.Grains.Review;

namespace Cluster.Grains.Decisions;

/// <summary>
/// Implemented by a grain storage that can write a grain's facts in the transaction of that grain's next state write:
/// staged decisions and review items (the same idempotent inserts as <see cref="IDecisionStore.RecordAsync"/>) and the
/// ETag-checked state, in one writer request with one commit. A stale ETag or any error rolls back facts and
/// state together. A storage that does not implement it (or declines) leaves the grain to call
/// <see cref="IDecisionStore.RecordAsync"/> before the state write, with the same order of writes and two commits.
/// </summary>
public interface IStagedFacts
{
    /// <summary>
    /// Stages facts for the next state write of <paramref name="grainId"/>, replacing any staged before; false when this
    /// storage cannot write them with the state (then nothing is staged). The grain writes its state right after, in the
    /// same turn.
    /// </summary>
    bool TryStage(GrainId grainId, IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems);

    /// <summary>Drops what is staged for <paramref name="grainId"/>, if anything (a state write that failed before it took them).</summary>
    void Discard(GrainId grainId);
}
