using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Testing;

namespace Cluster.Quality;

/// <summary>Share of benign paragraphs that would be blocked (a category score ≥ 0.8, the default policy).</summary>
internal static class FalsePositiveReport
{
    public const double Block = 0.8;

    public static void Run()
    {
        var corpora = new (string Name, string[] Docs)[] { ("cmrc2018", RealLexicons.Cmrc()), ("CLUE sample", RealLexicons.Clue()) };
        var lexicon = LexiconSnapshot.Build([RealLexicons.Houbb()]);
        var screener = new Screener(lexicon);
        foreach (var (name, docs) in corpora)
        {
            var blocked = docs.Count(d => Blocks(screener.Screen(d)));
            Console.WriteLine($"{name}: {blocked}/{docs.Length} = {(double)blocked / docs.Length:P1} blocked");
        }
        // Which terms cause it.
        var counts = new Dictionary<string, int>();
        foreach (var d in corpora.SelectMany(c => c.Docs))
        {
            foreach (var f in screener.Screen(d).Findings.Where(f => f.Weight >= Block).Select(f => Categories.Name(f.Category) + ":" + f.Text).Distinct())
            {
                counts[f] = counts.GetValueOrDefault(f) + 1;
            }
        }
        foreach (var (term, count) in counts.OrderByDescending(c => c.Value).Take(60))
        {
            Console.WriteLine($"{count,5} {term}");
        }
    }

    public static bool Blocks(ScreeningResult result) => Categories.All.Any(c => result.Score(c) >= Block);
}
