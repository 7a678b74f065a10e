namespace Cluster.Grains.Posts;

/// <summary>The ingest side of the store seam: one call is one group commit.</summary>
public interface IPostStore
{
    /// <summary>
    /// Stores the posts and, for those with <see cref="PostAppend.Enqueue"/>, produces their events into the "posts"
    /// stream, in one transaction: the task completes once both are durable. (platform, post id, content) identifies a
    /// post: the stored post's current content again (or repeated within the batch) is a duplicate and stores nothing;
    /// other content under a stored id is the next version, stored in place of the previous one, under the account that
    /// owns the post, and closes review items still open for earlier versions.
    /// </summary>
    Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken);

    Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken);
}
