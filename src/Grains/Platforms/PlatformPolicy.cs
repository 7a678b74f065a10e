using Cluster.Screening;

namespace Cluster.Grains.Platforms;

/// <summary>A platform's decision policy. Categories not listed use <see cref="DefaultFor"/>.</summary>
public sealed record PlatformPolicy(long Version, IReadOnlyDictionary<string, Threshold> Thresholds)
{
    /// <summary>Review from 0.4, block from 0.8: one clear-cut lexicon hit (weight 0.9) blocks, an ambiguous one (0.4–0.5) is reviewed.</summary>
    public static readonly Threshold DefaultThreshold = new(0.4, 0.8);

    /// <summary>
    /// Politics reviews from 0.4 and never blocks unless a platform's policy says so: political sensitivity is a
    /// reviewer's call (the lexicon import rule), and a benign article about government names many weak terms
    /// whose noisy-OR passes 0.8 (10 of 1,506 held-out paragraphs, bench/README.md "Default lexicon").
    /// </summary>
    public static readonly Threshold PoliticsThreshold = Threshold.ReviewOnly(0.4);

    public static readonly PlatformPolicy Default = new(0, new Dictionary<string, Threshold>());

    public Threshold For(Category category) =>
        Thresholds.TryGetValue(Categories.Name(category), out var t) ? t : DefaultFor(category);

    /// <summary>The threshold of a category the platform's policy does not list.</summary>
    public static Threshold DefaultFor(Category category) => category == Category.Politics ? PoliticsThreshold : DefaultThreshold;
}
