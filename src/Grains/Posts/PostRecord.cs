namespace Cluster.Grains.Posts;

/// <summary>
/// A post as stored: its newest version, what a reviewer sees when the post is escalated. Text is never logged.
/// <see cref="ContentHash"/> is <see cref="Posts.ContentHash.Of"/> of kind and text; on the way in,
/// <see cref="Version"/> is 1 and the commit assigns the stored one.
/// </summary>
public sealed record PostRecord(
    string Platform,
    string PostId,
    string Account,
    string Kind,
    string Text,
    DateTimeOffset? CreatedAt,
    DateTimeOffset ReceivedAt,
    string ContentHash,
    int Version);
