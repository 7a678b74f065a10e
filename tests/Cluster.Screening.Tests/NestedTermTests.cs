using Cluster.Screening.Lexicon;

namespace Cluster.Screening.Tests;

/// <summary>One stretch of text is one piece of evidence: a deny term inside a longer deny term of the same category is dropped.</summary>
public sealed class NestedTermTests
{
    private static Screener With(params LexiconSource[] sources) => new(LexiconSnapshot.Build(sources));

    private static LexiconSource Source(string name, long version, string lexicon)
    {
        var parsed = LexiconParser.Parse(lexicon);
        Assert.Empty(parsed.Errors);
        return new LexiconSource(name, version, parsed.Entries);
    }

    // 中国 shares the start of 中国共产党, 共产党 and 产党 its end: both ways of nesting are covered.
    private static readonly LexiconSource Politics = Source("p", 1, "中国共产党\tpolitics\t0.5\n共产党\tpolitics\t0.5\n产党\tpolitics\t0.5\n中国\tpolitics\t0.1");

    [Fact]
    public void Nested_terms_of_one_category_score_once_and_the_evidence_is_the_longest_term()
    {
        const string text = "他说中国共产党成立于上海";

        var result = With(Politics).Screen(text);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(new Finding(Category.Politics, 0.5, 2, 7, "中国共产党", "lexicon:p@1"), finding);
        Assert.Equal(0.5, result.Score(Category.Politics));
    }

    [Fact]
    public void A_nested_term_still_counts_where_it_stands_alone()
    {
        var result = With(Politics).Screen("中国共产党，共产党");

        Assert.Equal([("中国共产党", 0), ("共产党", 6)], result.Findings.Select(f => (f.Text, f.Start)));
        Assert.Equal(0.75, result.Score(Category.Politics), 12);
    }

    [Fact]
    public void A_repeated_phrase_is_still_one_finding()
    {
        var result = With(Politics).Screen("中国共产党，中国共产党");

        Assert.Equal("中国共产党", Assert.Single(result.Findings).Text);
        Assert.Equal(0.5, result.Score(Category.Politics));
    }

    [Fact]
    public void Overlapping_terms_that_are_not_nested_both_count()
    {
        var result = With(Source("g", 1, "网赌\tgambling\t0.5\n赌球\tgambling\t0.4")).Screen("他在网赌球");

        Assert.Equal(["网赌", "赌球"], result.Findings.Select(f => f.Text));
        Assert.Equal(1 - (0.5 * 0.6), result.Score(Category.Gambling), 12);
    }

    [Fact]
    public void A_term_nested_in_a_term_of_another_category_still_counts()
    {
        var result = With(Source("w", 1, "出售枪支\tillegal\t0.5\n枪支\tweapons\t0.6")).Screen("有人出售枪支");

        Assert.Equal([(Category.Illegal, "出售枪支"), (Category.Weapons, "枪支")], result.Findings.Select(f => (f.Category, f.Text)));
        Assert.Equal(0.5, result.Score(Category.Illegal));
        Assert.Equal(0.6, result.Score(Category.Weapons));
    }

    [Fact]
    public void One_term_with_two_categories_drops_only_the_category_it_is_nested_in()
    {
        var result = With(Source("m", 1, "大麻烟\tdrugs\t0.9\n大麻\tdrugs\t0.6\n大麻\tillegal\t0.3")).Screen("卖大麻烟");

        Assert.Equal([(Category.Illegal, "大麻"), (Category.Drugs, "大麻烟")], result.Findings.Select(f => (f.Category, f.Text)));
        Assert.Equal(0.9, result.Score(Category.Drugs));
    }

    [Fact]
    public void A_term_nested_in_a_longer_term_of_another_source_is_dropped()
    {
        var screener = With(Source("a", 1, "共产党\tpolitics\t0.5"), Source("b", 2, "中国共产党\tpolitics\t0.4"));

        var finding = Assert.Single(screener.Screen("中国共产党").Findings);

        Assert.Equal(("中国共产党", "lexicon:b@2"), (finding.Text, finding.Source));
    }

    [Fact]
    public void The_same_term_and_category_in_two_sources_counts_once_with_the_higher_weight_and_on_a_tie_the_first_source()
    {
        var higher = With(Source("a", 1, "洗钱\tillegal\t0.5"), Source("b", 7, "洗钱\tillegal\t0.7")).Screen("帮人洗钱");
        var tie = With(Source("a", 1, "洗钱\tillegal\t0.5"), Source("b", 7, "洗钱\tillegal\t0.5")).Screen("帮人洗钱");

        Assert.Equal("lexicon:b@7", Assert.Single(higher.Findings).Source);
        Assert.Equal(0.7, higher.Score(Category.Illegal));
        Assert.Equal("lexicon:a@1", Assert.Single(tie.Findings).Source);
        Assert.Equal(0.5, tie.Score(Category.Illegal));
    }

    [Fact]
    public void A_term_inside_a_listed_domain_of_its_category_is_part_of_the_domain_finding()
    {
        var result = With(Source("d", 1, "sex\tporn\t0.5\nsex.com\tporn\t0.8")).Screen("去 sex.com 看");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("sex.com", 2, 9), (finding.Text, finding.Start, finding.End));
        Assert.Equal(0.8, result.Score(Category.Porn));
    }

    [Fact]
    public void Leftmost_longest_matching_keeps_one_finding_for_nested_terms_too()
    {
        var screener = new Screener(LexiconSnapshot.Build([Politics]), MatchMode.Longest);

        Assert.Equal("中国共产党", Assert.Single(screener.Screen("他说中国共产党成立于上海").Findings).Text);
    }
}
