using Cluster.Screening.Lexicon;

namespace Cluster.Screening.Tests.Lexicon;

public sealed class LexiconParserTests
{
    [Fact]
    public void Parses_entries_weights_allow_lines_and_skips_comments()
    {
        var result = LexiconParser.Parse("\uFEFF# comment\n刷单返利\tfraud\t0.8\r\n\n大麻\tdrugs\n!大麻烦\n  # indented comment\n");

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new LexiconEntry("刷单返利", Category.Fraud, 0.8, false),
                new LexiconEntry("大麻", Category.Drugs, 1.0, false),
                new LexiconEntry("大麻烦", default, 0, true),
            ],
            result.Entries);
    }

    [Fact]
    public void Reports_each_bad_line_by_number_and_keeps_the_good_ones()
    {
        var result = LexiconParser.Parse("好词\tfraud\n坏词\tnope\n无类别\n权重\tads\t1.5\n权重2\tads\tabc\n\tfraud\n!\nok\tADS\t0.25");

        Assert.Equal(
            [
                new LexiconEntry("好词", Category.Fraud, 1.0, false),
                new LexiconEntry("ok", Category.Ads, 0.25, false),
            ],
            result.Entries);
        Assert.Equal(["line 2", "line 3", "line 4", "line 5", "line 6", "line 7"], result.Errors.Select(e => e[..e.IndexOf(':')]));
        Assert.Contains("unknown category 'nope'", result.Errors[0]);
        Assert.Contains("weight '1.5'", result.Errors[2]);
    }

    [Fact]
    public void Rejects_terms_longer_than_the_limit()
    {
        var result = LexiconParser.Parse(new string('长', LexiconParser.MaxTermLength + 1) + "\tfraud");
        Assert.Empty(result.Entries);
        Assert.Equal($"line 1: term longer than {LexiconParser.MaxTermLength} characters", Assert.Single(result.Errors));
    }

    [Fact]
    public void The_starter_lexicon_parses_cleanly_and_covers_every_kind_of_entry()
    {
        var entries = StarterLexicon.Source.Entries;
        Assert.True(entries.Count >= 35, $"only {entries.Count} starter entries");
        Assert.Contains(entries, e => e.Allow);
        Assert.True(entries.Where(e => !e.Allow).Select(e => e.Category).Distinct().Count() >= 10);
    }
}
