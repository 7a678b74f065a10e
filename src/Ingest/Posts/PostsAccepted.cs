namespace Cluster.Ingest.Posts;

/// <summary>
/// The 202 body of POST /v1/posts. Accepted + duplicates + rejected is the number of items sent; <see cref="Edited"/>
/// counts the accepted that were new versions of stored posts.
/// </summary>
public sealed record PostsAccepted(int Accepted, int Duplicates, IReadOnlyList<RejectedItem> Rejected, int Edited);
