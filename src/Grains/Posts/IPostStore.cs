using Cluster.Grains.Runtime;

namespace Cluster.Grains.Posts;

/// <summary>The ingest side of the store seam: one call is one group commit.</summary>
public interface IPostStore
{
    /// <summary>
    /// Stores the posts and appends their inbox messages in one transaction. (platform, post id, content) identifies a
    /// post: the stored post's current content again (or repeated within the batch) is a duplicate and appends
    /// nothing; other content under a stored id is the next version, stored in place of the previous one, under the
    /// account that owns the post, and closes review items still open for earlier versions.
    /// </summary>
    Task<(AppendOutcome[] Outcomes, IReadOnlyCollection<PartitionId> Partitions)> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken);

    Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken);
}
