namespace Cluster.Ingest.Posts;

/// <summary>
/// A group commit failed (the store is unreachable, restarting or failed the transaction): none of the request's posts
/// is acknowledged. The endpoints answer 503 with Retry-After; a post that the store committed after all (the commit's
/// answer was lost) comes back as a duplicate when retried.
/// </summary>
public sealed class CommitFailedException(string message, Exception? inner) : Exception(message, inner);
