namespace Cluster.Grains.Platforms;

/// <summary>Decisions one silo made for a platform since its last delta: by action ("machine:block", "human:allow") and by labelled category.</summary>
[GenerateSerializer, Immutable]
public sealed record PlatformDelta([property: Id(0)] IReadOnlyDictionary<string, long> Actions, [property: Id(1)] IReadOnlyDictionary<string, long> Categories);
