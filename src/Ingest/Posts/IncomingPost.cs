using Cluster.Grains.Accounts;

namespace Cluster.Ingest.Posts;

/// <summary>A validated post as submitted by a platform (api-v1.md "A post").</summary>
public sealed record IncomingPost(
    string Id,
    string Account,
    string Text,
    string Kind,
    DateTimeOffset? CreatedAt,
    string? Thread,
    string? ReplyTo,
    AccountMeta? Meta);
