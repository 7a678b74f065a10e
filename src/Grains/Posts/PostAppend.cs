using Cluster.Grains.Accounts;

namespace Cluster.Grains.Posts;

/// <summary>
/// A screened post ready for the group commit: its row, and the event for its AccountGrain as version 1 under the
/// account that sent it (the commit gives an edit its version number and the post's owning account).
/// <see cref="Enqueue"/>: POST /v1/posts produces the event into the "posts" stream in the same transaction;
/// POST /v1/screen stores the post only and calls the grain itself.
/// </summary>
public sealed record PostAppend(PostRecord Post, PostSubmitted Event, bool Enqueue);
