namespace Cluster.Grains.Platforms;

/// <summary>A platform's merged aggregates (grain storage "platform"). V is the shape version.</summary>
[GenerateSerializer, Immutable]
public sealed record PlatformTotals
{
    [Id(0)]
    public int V { get; init; } = 1;

    [Id(1)]
    public Dictionary<string, long> Actions { get; init; } = [];

    [Id(2)]
    public Dictionary<string, long> Categories { get; init; } = [];

    [Id(3)]
    public PlatformPolicyRecord? Policy { get; init; }
}
