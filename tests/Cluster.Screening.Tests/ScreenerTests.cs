using Cluster.Screening.Lexicon;

namespace Cluster.Screening.Tests;

public sealed class ScreenerTests
{
    private static Screener With(string lexicon, string name = "test", long version = 3)
    {
        var parsed = LexiconParser.Parse(lexicon);
        Assert.Empty(parsed.Errors);
        return new Screener(LexiconSnapshot.Build([new LexiconSource(name, version, parsed.Entries)]));
    }

    [Fact]
    public void A_term_hit_carries_category_weight_source_version_and_its_original_span()
    {
        var screener = With("诈骗词\tfraud\t0.7");
        const string text = "这是诈骗词。";

        var finding = Assert.Single(screener.Screen(text).Findings);

        Assert.Equal(new Finding(Category.Fraud, 0.7, 2, 5, "诈骗词", "lexicon:test@3"), finding);
        Assert.Equal(0.7, screener.Screen(text).Score(Category.Fraud));
    }

    [Fact]
    public void Evasion_by_zero_width_full_width_case_and_spaces_is_matched_with_the_span_of_the_original()
    {
        var screener = With("诈骗词\tfraud\nvx\tcontact\t0.3");
        const string text = "看：诈\u200B骗 词，加ＶＸ";

        var findings = screener.Screen(text).Findings;

        Assert.Equal(2, findings.Count);
        Assert.Equal("诈\u200B骗 词", text[findings[0].Start..findings[0].End]);
        Assert.Equal("诈\u200B骗 词", findings[0].Text);
        Assert.Equal("ＶＸ", text[findings[1].Start..findings[1].End]);
    }

    [Fact]
    public void Terms_written_in_full_width_or_upper_case_match_plain_text()
    {
        var screener = With("ＢＡＤ\tabuse");
        Assert.Equal(Category.Abuse, Assert.Single(screener.Screen("so bad").Findings).Category);
    }

    [Fact]
    public void An_allow_entry_suppresses_the_deny_terms_inside_it_but_not_elsewhere()
    {
        var screener = With("大麻\tdrugs\t0.6\n!大麻烦");

        Assert.Empty(screener.Screen("这真是个大麻烦").Findings);
        var finding = Assert.Single(screener.Screen("大麻烦，还有大麻").Findings);
        Assert.Equal(6, finding.Start);
        Assert.Equal(Category.Drugs, finding.Category);
    }

    [Fact]
    public void A_repeated_term_counts_once_and_distinct_terms_combine_as_independent_evidence()
    {
        var screener = With("网赌\tgambling\t0.5\n百家乐\tgambling\t0.4\n六合彩\tgambling\t0.3\n赌球\tgambling");

        Assert.Equal(0.5, screener.Screen("网赌网赌网赌").Score(Category.Gambling));
        Assert.Equal(1 - (0.5 * 0.6), screener.Screen("网赌百家乐").Score(Category.Gambling), 12);
        Assert.Equal(1 - (0.5 * 0.6 * 0.7), screener.Screen("网赌百家乐六合彩").Score(Category.Gambling), 12);
        Assert.Equal(1.0, screener.Screen("网赌赌球").Score(Category.Gambling));
        Assert.Equal(0.0, screener.Screen("网赌").Score(Category.Fraud));
    }

    [Fact]
    public void One_term_in_two_lexicons_yields_a_finding_from_each_source()
    {
        var a = new LexiconSource("a", 1, [new LexiconEntry("洗钱", Category.Illegal, 0.5, false)]);
        var b = new LexiconSource("b", 7, [new LexiconEntry("洗钱", Category.Fraud, 0.4, false)]);
        var screener = new Screener(LexiconSnapshot.Build([a, b]));

        var findings = screener.Screen("帮人洗钱").Findings;

        Assert.Equal(["lexicon:a@1", "lexicon:b@7"], findings.Select(f => f.Source));
        Assert.Equal(0.4, screener.Screen("帮人洗钱").Score(Category.Fraud));
    }

    [Fact]
    public void Lexicon_findings_per_text_are_capped()
    {
        var terms = Enumerable.Range(0, 100).Select(i => $"词{i:D3}").ToArray();
        var screener = With(string.Join('\n', terms.Select(t => t + "\tspam\t0.01")));

        Assert.Equal(Screener.MaxLexiconFindings, screener.Screen(string.Join('，', terms)).Findings.Count);
    }

    [Fact]
    public void Clean_text_gets_the_shared_empty_result()
    {
        Assert.Same(ScreeningResult.Empty, With("诈骗词\tfraud").Screen("今天天气不错"));
        Assert.Same(ScreeningResult.Empty, new Screener(LexiconSnapshot.Empty).Screen(""));
    }

    [Fact]
    public void The_engine_swaps_snapshots_atomically_and_findings_name_the_new_version()
    {
        var engine = new ScreeningEngine(LexiconSnapshot.Build([new LexiconSource("l", 1, [new LexiconEntry("旧词", Category.Spam, 0.5, false)])]));
        var before = engine.Current;

        engine.Swap(LexiconSnapshot.Build([new LexiconSource("l", 2, [new LexiconEntry("新词", Category.Spam, 0.5, false)])]));

        Assert.Single(before.Screen("旧词").Findings); // a screener already handed out keeps its snapshot
        Assert.Empty(engine.Current.Screen("旧词").Findings);
        Assert.Equal("lexicon:l@2", Assert.Single(engine.Current.Screen("新词").Findings).Source);
    }

    [Fact]
    public void Screening_is_safe_from_many_threads_at_once()
    {
        var screener = With("诈骗词\tfraud\n!不是诈骗词");
        var texts = Enumerable.Range(0, 2_000).Select(i => i % 3 == 0 ? $"第{i}条诈骗词" : i % 3 == 1 ? $"不是诈骗词{i}" : $"普通{i}").ToArray();

        var counts = texts.AsParallel().WithDegreeOfParallelism(4).Select(t => screener.Screen(t).Findings.Count).ToArray();

        Assert.Equal(texts.Select((_, i) => i % 3 == 0 ? 1 : 0), counts);
    }
}
