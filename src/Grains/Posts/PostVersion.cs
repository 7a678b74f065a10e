namespace Cluster.Grains.Posts;

/// <summary>
/// The version the group commit gave a post (1 for a new post, n + 1 for new content under a stored id) and the
/// account it is filed under: a later version stays with the account that first submitted the post.
/// </summary>
public readonly record struct PostVersion(int Number, string Account);
