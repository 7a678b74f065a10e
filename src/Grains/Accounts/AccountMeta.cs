namespace Cluster.Grains.Accounts;

/// <summary>What the platform tells us about the author (api-v1.md accountMeta).</summary>
[GenerateSerializer, Immutable]
public sealed record AccountMeta([property: Id(0)] bool? Verified, [property: Id(1)] int? Followers, [property: Id(2)] DateTimeOffset? RegisteredAt);
