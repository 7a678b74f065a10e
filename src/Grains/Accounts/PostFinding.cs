namespace Cluster.Grains.Accounts;

/// <summary>A stage-1 finding as carried in the posts stream: category by wire name, evidence already masked.</summary>
[GenerateSerializer, Immutable]
public sealed record PostFinding(
    [property: Id(0)] string Category,
    [property: Id(1)] double Weight,
    [property: Id(2)] int Start,
    [property: Id(3)] int End,
    [property: Id(4)] string Text,
    [property: Id(5)] string Source);
