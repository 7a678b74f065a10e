namespace Cluster.Grains.Posts;

/// <summary>A post as stored: what a reviewer sees when the post is escalated. Text is never logged.</summary>
public sealed record PostRecord(
    string Platform,
    string PostId,
    string Account,
    string Kind,
    string Text,
    DateTimeOffset? CreatedAt,
    DateTimeOffset ReceivedAt);
