namespace Cluster.Grains.Accounts;

/// <summary>What the platform tells us about the author (api-v1.md accountMeta).</summary>
public sealed record AccountMeta(bool? Verified, int? Followers, DateTimeOffset? RegisteredAt);
