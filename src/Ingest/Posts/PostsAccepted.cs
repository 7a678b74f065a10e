namespace Cluster.Ingest.Posts;

/// <summary>The 202 body of POST /v1/posts.</summary>
public sealed record PostsAccepted(int Accepted, int Duplicates, IReadOnlyList<RejectedItem> Rejected);
