using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Quality;

/// <summary>
/// Recall of every lexicon term, clean and under each evasion of <see cref="EvasionVariants"/>, embedded in a
/// sentence. A term counts as found only when a finding spans exactly its (evaded) occurrence.
/// </summary>
internal static class EvasionReport
{
    public static void Run()
    {
        var sources = RealLexicons.CategoryLists().Prepend(RealLexicons.Houbb()).ToList();
        var screener = new Screener(LexiconSnapshot.Build(sources));
        var terms = sources.SelectMany(s => s.Entries).Where(e => !e.Allow).Select(e => e.Term).Distinct().ToArray();
        Console.WriteLine($"## Evasion recall ({terms.Length:N0} distinct terms from houbb + konsheng lists)");
        Console.WriteLine();
        Console.WriteLine("| evasion | found | recall | ratio to clean |");
        Console.WriteLine("|---|---:|---:|---:|");
        var clean = Recall(screener, terms, t => t);
        Console.WriteLine($"| clean | {clean.Found:N0} | {clean.Recall:F4} | 1.000 |");
        var worst = 1.0;
        foreach (var (index, kind) in EvasionVariants.Kinds.Index())
        {
            // Seeded by position, not by the kind's string hash, which .NET randomizes per process: the
            // variants, and so the table, are the same on every run.
            var random = new Random(1_000 + index);
            var result = Recall(screener, terms, t => EvasionVariants.Apply(kind, t, random));
            var ratio = result.Recall / clean.Recall;
            worst = Math.Min(worst, ratio);
            Console.WriteLine($"| {kind} | {result.Found:N0} | {result.Recall:F4} | {ratio:F3} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Worst ratio to clean recall: {worst:F3} (target ≥ 0.95).");
        Console.WriteLine();
    }

    public static (int Found, double Recall) Recall(Screener screener, string[] terms, Func<string, string> evade)
    {
        const string before = "据说";
        const string after = "。";
        var found = 0;
        foreach (var term in terms)
        {
            var variant = evade(term);
            var text = before + variant + after;
            var want = MatchView.Build(term);
            foreach (var f in screener.Screen(text).Findings)
            {
                if (f.Start >= before.Length && f.End <= before.Length + variant.Length && f.Source.StartsWith("lexicon:", StringComparison.Ordinal)
                    && MatchView.Build(text[f.Start..f.End]) == want)
                {
                    found++;
                    break;
                }
            }
        }
        return (found, (double)found / terms.Length);
    }
}
