namespace Cluster.Grains.Platforms;

/// <summary>A category's cut-offs: a score at or above <see cref="Block"/> blocks, at or above <see cref="Review"/> escalates.</summary>
[GenerateSerializer, Immutable]
public sealed record Threshold([property: Id(0)] double Review, [property: Id(1)] double Block)
{
    /// <summary>
    /// Escalates from <paramref name="review"/> and never blocks: scores are at most 1, so a block at +∞ is never
    /// reached. Only a built-in default is review-only and it is never serialized (stored and returned policies hold
    /// only what a platform sent); a policy PUT still sends block in [0, 1] (api-v1.md).
    /// </summary>
    public static Threshold ReviewOnly(double review) => new(review, double.PositiveInfinity);
}
