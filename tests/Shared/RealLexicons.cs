using Cluster.Screening;
using Cluster.Screening.Lexicon;

namespace Cluster.Testing;

/// <summary>The real third-party word lists in ../shared/data/lexicons as lexicon sources.</summary>
internal static class RealLexicons
{
    /// <summary>houbb sensitive_word_tags: 43,768 lines, tags mapped to categories.</summary>
    public static LexiconSource Houbb(double weight = 1.0) =>
        new("houbb", 1, ThirdPartyLexicons.FromHoubbTags(SharedData.ReadAllText("lexicons/houbb_sensitive_word_tags.txt"), weight));

    /// <summary>The smaller category lists: houbb abuse and ads, konsheng porn, ads, guns and explosives.</summary>
    public static IReadOnlyList<LexiconSource> CategoryLists(double weight = 1.0) =>
    [
        new("houbb-abuse", 1, ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/houbb_abuse.txt"), Category.Abuse, weight)),
        new("houbb-ads", 1, ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/houbb_ads.txt"), Category.Ads, weight)),
        new("konsheng-porn", 1, ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/konsheng_porn.txt"), Category.Porn, weight)),
        new("konsheng-ads", 1, ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/konsheng_ads.txt"), Category.Ads, weight)),
        new("konsheng-weapons", 1, ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/konsheng_guns_explosives.txt"), Category.Weapons, weight)),
    ];

    public static string[] Clue() =>
        File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt")).Where(l => l.Length > 0).ToArray();

    public static (string Split, string Text)[] CmrcWithSplit() =>
        File.ReadAllLines(SharedData.PathOf("benign/cmrc2018_contexts.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("split").GetString()!, e.GetProperty("context").GetString()!))
            .ToArray();

    public static string[] Cmrc() =>
        File.ReadAllLines(SharedData.PathOf("benign/cmrc2018_contexts.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("context").GetString()!)
            .ToArray();

    /// <summary>
    /// A 100k-term lexicon: every real list plus terms drawn from cmrc2018 character n-grams (2–6 CJK chars,
    /// seeded), so it is as large as the biggest production lists and dense with terms that occur in real text.
    /// </summary>
    public static IReadOnlyList<LexiconSource> Lexicon100k()
    {
        var real = CategoryLists().Prepend(Houbb()).ToList();
        var seen = real.SelectMany(s => s.Entries).Select(e => e.Term).ToHashSet(StringComparer.Ordinal);
        var random = new Random(100_000);
        var text = string.Concat(Cmrc());
        var drawn = new List<LexiconEntry>();
        var categories = Categories.All;
        while (seen.Count < 100_000)
        {
            var length = random.Next(2, 7);
            var start = random.Next(text.Length - length);
            var term = text.Substring(start, length);
            if (term.All(c => c is >= '\u4E00' and <= '\u9FFF') && seen.Add(term))
            {
                drawn.Add(new LexiconEntry(term, categories[random.Next(categories.Count)], 0.3, false));
            }
        }
        real.Add(new LexiconSource("ngrams", 1, drawn));
        return real;
    }
}
