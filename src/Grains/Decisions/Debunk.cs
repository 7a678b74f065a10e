namespace Cluster.Grains.Decisions;

/// <summary>The debunk notice attached to a rumor hit (辟谣联动), so a platform can label rather than only remove.</summary>
[GenerateSerializer, Immutable]
public sealed record Debunk([property: Id(0)] string RumorId, [property: Id(1)] string Title, [property: Id(2)] string Url);
