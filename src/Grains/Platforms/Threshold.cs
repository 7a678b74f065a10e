namespace Cluster.Grains.Platforms;

/// <summary>A category's cut-offs: a score at or above <see cref="Block"/> blocks, at or above <see cref="Review"/> escalates.</summary>
public sealed record Threshold(double Review, double Block);
