using Cluster.Grains.Runtime;

namespace Cluster.Grains.Posts;

/// <summary>
/// A screened post ready for the group commit: its row, the inbox message for its AccountGrain if the post is new
/// (version 1, built off the writer thread), and how to build the message for a later version, which only the commit
/// knows the number and owning account of.
/// </summary>
public sealed record PostAppend(PostRecord Post, InboxMessage Message, Func<PostVersion, InboxMessage> Revise);
