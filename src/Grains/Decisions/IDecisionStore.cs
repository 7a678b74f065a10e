namespace Cluster.Grains.Decisions;

/// <summary>Reads of the decisions feed. Cursors are opaque to clients and strictly increasing per store.</summary>
public interface IDecisionStore
{
    Task<IReadOnlyList<(long Cursor, DecisionRecord Decision)>> ReadFeedAsync(string platform, long after, int limit, CancellationToken cancellationToken);

    /// <summary>The decision in force for a post: the newest one, since a human decision supersedes the machine one.</summary>
    Task<DecisionRecord?> GetLatestAsync(string platform, string postId, CancellationToken cancellationToken);

    /// <summary>Every decision of a post, oldest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> GetAllAsync(string platform, string postId, CancellationToken cancellationToken);
}
