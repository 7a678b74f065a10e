using Cluster.Grains.Runtime;

namespace Cluster.Grains.Posts;

/// <summary>A screened post ready for the group commit: its stored row and the inbox message for its AccountGrain.</summary>
public sealed record PostAppend(PostRecord Post, InboxMessage Message);
