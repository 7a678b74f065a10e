using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;

namespace Cluster.Screening.Tests.Normalization;

public sealed class MatchViewTests
{
    [Theory]
    [InlineData("大*麻", "大麻")]                     // one junk char
    [InlineData("大★☆麻", "大麻")]                   // symbols
    [InlineData("大😀麻", "大麻")]                    // an emoji (surrogate pair)
    [InlineData("大-_-麻", "大麻")]                   // three junk chars: still bridged
    [InlineData("大★★★★★麻", "大麻")]                // one symbol repeated is one insertion
    [InlineData("大😀🔥🎉麻", "大麻")]                  // emoji count as one symbol each
    [InlineData("f u c k", "fuck")]                  // spelled-out letters
    [InlineData("1 0 0 0人", "1000人")]
    [InlineData("大.麻", "大麻")]                     // a dot between ideographs is not a full stop
    [InlineData("加 v 信", "加v信")]                   // spaces next to CJK
    [InlineData("大大大麻", "大麻")]                   // repeats collapse
    [InlineData("网(wǎng)络(luò)", "网络")]           // inline pinyin
    [InlineData("网【wang】络[luo3]", "网络")]         // bracketed annotations, tone digits
    [InlineData("網絡", "网络")]                       // traditional → simplified, before the view
    [InlineData("网(图片)络", "网图片络")]               // brackets bridge, but CJK inside them is content, not pinyin
    public void Undoes_evasions(string input, string expected)
    {
        Assert.Equal(expected, MatchView.Build(input));
    }

    [Theory]
    [InlineData("大，麻", "大,麻")]                     // sentence punctuation separates
    [InlineData("大。麻", "大。麻")]
    [InlineData("大*#~+麻", "大*#~+麻")]             // a run longer than MaxJunkRun separates
    [InlineData("大——麻", "大——麻")]                 // a dash between clauses is punctuation
    [InlineData("I am a boy", "i am a boy")]         // spaces between words stay
    [InlineData("good ass", "good ass")]             // Latin words keep their space, ASCII never collapses
    [InlineData("3.14 and 100", "3.14 and 100")]     // decimals and digits untouched
    [InlineData("*大麻", "*大麻")]                    // leading junk bridges nothing
    public void Keeps_what_separates_words(string input, string expected)
    {
        Assert.Equal(expected, MatchView.Build(input));
    }

    [Fact]
    public void Confusable_letters_fold_to_their_ascii_skeleton_but_ascii_stays_distinct()
    {
        Assert.True(IcuFolding.IsAvailable, "ICU (libicui18n) must be installed; .NET on Linux depends on it");
        Assert.Equal("paypal", TextNormalizer.Normalize("раураl"));   // Cyrillic р, а, у
        Assert.Equal("0o1l", TextNormalizer.Normalize("0O1l"));
    }

    [Fact]
    public void Evidence_of_an_evaded_term_spans_the_original_junk_and_annotation()
    {
        var screener = new Screener(LexiconSnapshot.Build([new LexiconSource("t", 1, [new LexiconEntry("网络赌博", Category.Gambling, 0.9, false)])]));
        const string text = "来玩網(wǎng)络*賭★博吧";

        var finding = Assert.Single(screener.Screen(text).Findings);

        Assert.Equal("網(wǎng)络*賭★博", text[finding.Start..finding.End]);
    }

    [Fact]
    public void Longest_mode_keeps_the_longest_term_at_each_position_and_overlapping_mode_keeps_overlaps_but_not_nested_terms_of_one_category()
    {
        var lexicon = LexiconSnapshot.Build([new LexiconSource("t", 1,
        [
            new LexiconEntry("毒品", Category.Drugs, 0.5, false),
            new LexiconEntry("毒品交易", Category.Drugs, 0.9, false),
            new LexiconEntry("交易所", Category.Fraud, 0.3, false),
        ])]);
        const string text = "毒品交易所";

        var overlapping = new Screener(lexicon, MatchMode.Overlapping).Screen(text).Findings.Select(f => f.Text);
        var longest = new Screener(lexicon, MatchMode.Longest).Screen(text).Findings.Select(f => f.Text);

        // 毒品 lies inside 毒品交易, also drugs: one stretch, one finding. 交易所 only overlaps it, and is fraud.
        Assert.Equal(new[] { "毒品交易", "交易所" }.Order(), overlapping.Order());
        Assert.Equal(["毒品交易"], longest);
    }
}
