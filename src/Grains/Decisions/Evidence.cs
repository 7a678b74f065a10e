namespace Cluster.Grains.Decisions;

/// <summary>A span of the submitted text (UTF-16 offsets) with its masked excerpt and the source of the hit.</summary>
public sealed record Evidence(int Start, int End, string Text, string Source);
