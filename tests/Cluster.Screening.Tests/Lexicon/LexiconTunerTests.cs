using Cluster.Screening.Lexicon;

namespace Cluster.Screening.Tests.Lexicon;

public sealed class LexiconTunerTests
{
    [Fact]
    public void Terms_common_in_benign_reference_text_are_demoted_and_the_rest_keep_their_weight()
    {
        LexiconEntry[] entries =
        [
            new("日本", Category.Porn, 1.0, false),
            new("冰毒", Category.Drugs, 0.9, false),
            new("大麻烦", default, 0, true),
        ];
        var reference = Enumerable.Range(0, 1000).Select(i => i % 100 == 0 ? $"日本新闻{i}" : $"普通新闻{i}").ToList();

        var result = LexiconTuner.Tune(entries, reference, minShare: 0.005);

        Assert.Equal([("日本", 10)], result.Demoted);
        Assert.Equal(
            [
                new LexiconEntry("日本", Category.Porn, LexiconTuner.DemotedWeight, false),
                new LexiconEntry("冰毒", Category.Drugs, 0.9, false),
                new LexiconEntry("大麻烦", default, 0, true),
            ],
            result.Entries);
        Assert.Empty(LexiconTuner.Tune(entries, reference, minShare: 0.02).Demoted); // 1% of documents is under 2%
    }
}
