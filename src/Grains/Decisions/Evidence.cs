namespace Cluster.Grains.Decisions;

/// <summary>A span of the submitted text (UTF-16 offsets) with its masked excerpt and the source of the hit.</summary>
[GenerateSerializer, Immutable]
public sealed record Evidence([property: Id(0)] int Start, [property: Id(1)] int End, [property: Id(2)] string Text, [property: Id(3)] string Source);
