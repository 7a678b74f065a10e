namespace Cluster.Grains.Platforms;

/// <summary>A stored policy version of a platform: thresholds per category as the admin sent them.</summary>
[GenerateSerializer, Immutable]
public sealed record PlatformPolicyRecord([property: Id(0)] long Version, [property: Id(1)] IReadOnlyDictionary<string, Threshold> Thresholds);
