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
}
