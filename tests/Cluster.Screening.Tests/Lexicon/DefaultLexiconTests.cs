using Cluster.Quality;
using Cluster.Screening.Classifiers;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Screening.Tests.Lexicon;

/// <summary>
/// The shipped default lexicon (Lexicon/Default/default.lexicon) as a silo screens with it by default: starter +
/// default, the abuse model at the silo's threshold, the default policy. Bounds sit a little beside the figures
/// of bench/README.md "Default lexicon" (23 of 1,506 held-out paragraphs blocked, 165 reviewed; on this 4,000-term
/// sample, recall 1.0000 clean and at least 0.9992 under every evasion).
/// </summary>
public sealed class DefaultLexiconTests
{
    private const double Review = 0.4;

    private const double Block = 0.8;

    private static readonly Lazy<Screener> Silo = new(() => new Screener(
        LexiconSnapshot.Build([StarterLexicon.Source, DefaultLexicon.Source]), MatchMode.Overlapping, abuseThreshold: AbuseModel.SiloThreshold));

    [Fact]
    public void Embedded_file_parses_without_errors_into_the_expected_entries()
    {
        var parsed = LexiconParser.Parse(DefaultLexicon.ReadText());

        Assert.Empty(parsed.Errors);
        Assert.Equal(65_236, parsed.Entries.Count);
        Assert.Equal(parsed.Entries, DefaultLexicon.Source.Entries);
        Assert.All(parsed.Entries, e => Assert.False(e.Allow));
        Assert.Equal("lexicon:default@1", DefaultLexicon.Source.FindingSource);
        Assert.Equal(14_239, LexiconSnapshot.Build([DefaultLexicon.Source]).DomainCount);
    }

    [Fact]
    public void Embedded_file_is_what_the_generator_writes_from_the_shared_lists()
    {
        var entries = DefaultLexiconRecipe.Build(DefaultLexiconRecipe.Choices.Shipped, DefaultLexiconRecipe.Reference());

        Assert.Equal(DefaultLexiconRecipe.Format(entries), DefaultLexicon.ReadText().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_term_only_the_default_lists_reviews_alone_names_the_default_as_its_source_and_blocks_with_a_second()
    {
        const string text = "有人在群里卖可卡因";
        var starterOnly = new Screener(LexiconSnapshot.Build([StarterLexicon.Source]));

        var result = Silo.Value.Screen(text);

        Assert.Equal(0, starterOnly.Screen(text).Score(Category.Drugs));
        Assert.Equal(DefaultLexiconRecipe.ImportedTermCap, result.Score(Category.Drugs), 6);
        Assert.InRange(result.Score(Category.Drugs), Review, Block - 0.01);
        var finding = Assert.Single(result.Findings, f => f.Category == Category.Drugs);
        Assert.Equal("可卡因", finding.Text);
        Assert.Equal("lexicon:default@1", finding.Source);

        // Corroborated: two distinct imported terms, 1 − 0.3 × 0.3 = 0.91.
        Assert.Equal(0.91, Silo.Value.Screen("有人在群里卖可卡因和氯胺酮").Score(Category.Drugs), 6);
    }

    [Fact]
    public void Held_out_benign_text_is_blocked_at_most_1_7_percent_and_reviewed_at_most_11_4_percent_of_the_time()
    {
        var (cmrc, clue) = DefaultLexiconRecipe.HeldOut();
        var held = cmrc.Concat(clue).ToArray();

        var results = held.Select(Silo.Value.Screen).ToArray();
        var blocked = results.Count(Blocks);
        var reviewed = results.Count(r => !Blocks(r) && Categories.All.Any(c => r.Score(c) >= Review));

        Assert.Equal(1_506, held.Length);
        Assert.True(blocked <= 26, $"{blocked} of {held.Length} held-out benign paragraphs blocked ({(double)blocked / held.Length:P1}); measured 23");
        Assert.True(reviewed <= 172, $"{reviewed} of {held.Length} held-out benign paragraphs reviewed ({(double)reviewed / held.Length:P1}); measured 165");
    }

    // The default policy (Cluster.Grains PlatformPolicy.DefaultFor): review from 0.4, block from 0.8, and politics
    // never blocks, it only reviews.
    private static bool Blocks(ScreeningResult result) => Categories.All.Any(c => c != Category.Politics && result.Score(c) >= Block);

    public static TheoryData<string> Kinds() => [.. EvasionVariants.Kinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Evaded_default_terms_are_still_found(string kind)
    {
        var terms = Sample.Value;
        var random = new Random(42);

        bool FromDefault(Finding f) => f.Source == DefaultLexicon.Source.FindingSource;
        var clean = EvasionVariants.Recall(Silo.Value, terms, t => t, FromDefault);
        var evaded = EvasionVariants.Recall(Silo.Value, terms, t => EvasionVariants.Apply(kind, t, random), FromDefault);

        Assert.True(clean >= 0.999, $"clean recall {clean:F4}");
        Assert.True(evaded >= 0.999, $"{kind}: recall {evaded:F4} (clean {clean:F4})");
    }

    // 4,000 distinct non-domain terms in an order that depends neither on the file nor on string hash randomisation.
    private static readonly Lazy<string[]> Sample = new(() => DefaultLexicon.Source.Entries
        .Select(e => e.Term).Where(t => !(t.Contains('.') && t.All(char.IsAscii))).Distinct()
        .OrderBy(EvasionVariants.StableOrder).ThenBy(t => t, StringComparer.Ordinal).Take(4_000).ToArray());
}
