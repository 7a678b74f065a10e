namespace Cluster.Grains.Decisions;

/// <summary>
/// Reads of the decisions feed. A feed position counts one platform's decisions (1, 2, 3, … in commit order), so it
/// says nothing about other platforms; clients see it only as an opaque cursor.
/// </summary>
public interface IDecisionStore
{
    /// <summary>
    /// Stores a grain's effects in one transaction: decisions (a decision id already stored is skipped and takes no
    /// feed position) and review items (INSERT OR IGNORE on the item id). Completes once durable.
    /// </summary>
    Task RecordAsync(IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<Review.ReviewItemRecord> reviewItems, CancellationToken cancellationToken);

    /// <summary>Raised after commit with the decisions a <see cref="RecordAsync"/> of this process newly stored (not replays).</summary>
    event Action<IReadOnlyList<DecisionRecord>>? Recorded;

    /// <summary>The platform's decisions after feed position <paramref name="after"/> (0: from the start), in order.</summary>
    Task<IReadOnlyList<(long Cursor, DecisionRecord Decision)>> ReadFeedAsync(string platform, long after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The decision in force for a post: the newest one, since a human decision supersedes the machine one and a newer
    /// version's decision supersedes the older version's.
    /// </summary>
    Task<DecisionRecord?> GetLatestAsync(string platform, string postId, CancellationToken cancellationToken);

    /// <summary>Every decision of a post, oldest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> GetAllAsync(string platform, string postId, CancellationToken cancellationToken);
}
