using Cluster.Screening;

namespace Cluster.Grains.Platforms;

/// <summary>A platform's decision policy. Categories not listed use <see cref="DefaultThreshold"/>.</summary>
public sealed record PlatformPolicy(long Version, IReadOnlyDictionary<string, Threshold> Thresholds)
{
    /// <summary>Review from 0.4, block from 0.8: one clear-cut lexicon hit (weight 0.9) blocks, an ambiguous one (0.4–0.5) is reviewed.</summary>
    public static readonly Threshold DefaultThreshold = new(0.4, 0.8);

    public static readonly PlatformPolicy Default = new(0, new Dictionary<string, Threshold>());

    public Threshold For(Category category) =>
        Thresholds.TryGetValue(Categories.Name(category), out var t) ? t : DefaultThreshold;
}
