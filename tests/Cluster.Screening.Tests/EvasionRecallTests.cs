using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Screening.Tests;

/// <summary>
/// The quality bar, on real lexicon terms: recall on evaded variants is at least 0.95 of recall on
/// the clean terms, for every evasion and the combinations. A 4,000-term sample keeps the test quick; the
/// full 44k-term run is in bench/Quality.
/// </summary>
public sealed class EvasionRecallTests
{
    private static readonly Lazy<(Screener Screener, string[] Terms)> Setup = new(() =>
    {
        var sources = RealLexicons.CategoryLists().Prepend(RealLexicons.Houbb()).ToList();
        var terms = sources.SelectMany(s => s.Entries).Select(e => e.Term).Distinct().ToArray();
        var sample = terms.OrderBy(t => EvasionVariants.StableOrder(t)).Take(4_000).ToArray();
        return (new Screener(LexiconSnapshot.Build(sources)), sample);
    });

    public static TheoryData<string> Kinds() => [.. EvasionVariants.Kinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Recall_on_evaded_terms_is_at_least_95_percent_of_clean_recall(string kind)
    {
        var (screener, terms) = Setup.Value;
        var random = new Random(42);

        var clean = EvasionVariants.Recall(screener, terms, t => t);
        var evaded = EvasionVariants.Recall(screener, terms, t => EvasionVariants.Apply(kind, t, random));

        Assert.True(clean > 0.99, $"clean recall {clean:F4}");
        Assert.True(evaded >= 0.95 * clean, $"{kind}: recall {evaded:F4} vs clean {clean:F4}");
    }
}
