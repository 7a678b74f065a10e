using Cluster.Grains.Runtime;

namespace Cluster.Grains.Posts;

/// <summary>The ingest side of the store seam: one call is one group commit.</summary>
public interface IPostStore
{
    /// <summary>
    /// Stores the posts and appends their inbox messages in one transaction. (platform, post id) is unique:
    /// a post already stored, or repeated within the batch, is a duplicate and appends nothing.
    /// </summary>
    Task<(AppendOutcome[] Outcomes, IReadOnlyCollection<PartitionId> Partitions)> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken);

    Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken);
}
