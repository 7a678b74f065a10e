using System.Diagnostics;
using Cluster.Grains.Platforms;
using Cluster.Screening;
using Cluster.Screening.Classifiers;
using Cluster.Screening.Lexicon;
using Cluster.Testing;

namespace Cluster.Quality;

/// <summary>
/// Writes the default lexicon (<see cref="DefaultLexiconRecipe"/>) and measures what a silo screens with by
/// default: starter + default lexicon, the abuse model at the silo's threshold, the default policy
/// (<see cref="PlatformPolicy.Default"/>: review 0.4, block 0.8, politics review-only), on the held-out benign
/// halves; evasion recall of its terms; and the cost of loading it.
/// </summary>
internal static class DefaultLexiconReport
{
    /// <summary>The default policy as it was before politics became review-only: every category blocks from 0.8.</summary>
    private static readonly PlatformPolicy PoliticsBlocking =
        new(0, new Dictionary<string, Threshold> { [Categories.Name(Category.Politics)] = PlatformPolicy.DefaultThreshold });

    public static void Write(string path)
    {
        var entries = DefaultLexiconRecipe.Build(DefaultLexiconRecipe.Choices.Shipped, DefaultLexiconRecipe.Reference());
        File.WriteAllText(path, DefaultLexiconRecipe.Format(entries));
        Console.WriteLine($"Wrote {entries.Count:N0} entries to {path}");
    }

    public static void Run()
    {
        var reference = DefaultLexiconRecipe.Reference();
        var (heldCmrc, heldClue) = DefaultLexiconRecipe.HeldOut();
        var shipped = DefaultLexicon.Source;
        var rebuilt = DefaultLexiconRecipe.Build(DefaultLexiconRecipe.Choices.Shipped, reference);
        var current = rebuilt.Count == shipped.Entries.Count && rebuilt.SequenceEqual(shipped.Entries);

        Console.WriteLine($"## Default lexicon ({shipped.Entries.Count:N0} entries)");
        Console.WriteLine();
        Console.WriteLine($"Embedded file is what the recipe writes today: {(current ? "yes" : "NO, regenerate it")}.");
        var byCategory = shipped.Entries.GroupBy(e => e.Category).OrderByDescending(g => g.Count())
            .Select(g => $"{Categories.Name(g.Key)} {g.Count():N0}");
        Console.WriteLine("Entries by category: " + string.Join(", ", byCategory) + ".");
        var byWeight = shipped.Entries.GroupBy(e => e.Weight).OrderByDescending(g => g.Key).Select(g => $"{g.Key:0.###}: {g.Count():N0}");
        Console.WriteLine("Entries by weight: " + string.Join(", ", byWeight) + ".");
        Console.WriteLine();
        Cost(shipped);

        Console.WriteLine($"### Benign text, held out (cmrc2018 trial {heldCmrc.Length} + CLUE 2nd half {heldClue.Length}), default policy, abuse model at {AbuseModel.SiloThreshold}");
        Console.WriteLine();
        Console.WriteLine("| lexicons | default entries | cmrc2018 trial blocked | CLUE 2nd half blocked | all blocked | all reviewed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var choices = DefaultLexiconRecipe.Choices.Shipped;
        var rows = new (string Name, IReadOnlyList<LexiconEntry>? Default, PlatformPolicy Policy)[]
        {
            ("starter only (the silo before this list)", null, PlatformPolicy.Default),
            ("**starter + default (shipped)**", shipped.Entries, PlatformPolicy.Default),
            ("… under a policy where politics blocks from 0.8", shipped.Entries, PoliticsBlocking),
            ("… with konsheng's ad list as well (duplicates of houbb's)", Variant(choices with { KonshengAds = true }), PlatformPolicy.Default),
            ("… without the houbb ad list", Variant(choices with { AdsWeight = 0 }), PlatformPolicy.Default),
            ("… ad list at 0.5 instead of 0.2", Variant(choices with { AdsWeight = 0.5 }), PlatformPolicy.Default),
            ("… abuse list at 1.0 instead of 0.5", Variant(choices with { AbuseWeight = 1.0 }), PlatformPolicy.Default),
            ("… without the houbb abuse list", Variant(choices with { AbuseWeight = 0 }), PlatformPolicy.Default),
            ("… without the houbb domain list", Variant(choices with { DomainWeight = 0 }), PlatformPolicy.Default),
            ("… politics at most 0.1", Variant(choices with { Politics = 0.1 }), PlatformPolicy.Default),
            ("… without politics", Variant(choices with { Politics = 0 }), PlatformPolicy.Default),
            ("… imported terms at full weight (no cap at 0.7)", Variant(choices with { TermCap = 1.0 }), PlatformPolicy.Default),
            ("… imported terms at most 0.6", Variant(choices with { TermCap = 0.6 }), PlatformPolicy.Default),
        };
        foreach (var (name, entries, policy) in rows)
        {
            var screener = SiloScreener(entries);
            var cmrc = heldCmrc.Count(d => Outcome(screener, d, policy) == 2);
            var clue = heldClue.Count(d => Outcome(screener, d, policy) == 2);
            var all = heldCmrc.Concat(heldClue).ToArray();
            var reviewed = all.Count(d => Outcome(screener, d, policy) == 1);
            Console.WriteLine($"| {name} | {entries?.Count ?? 0:N0} | {Share(cmrc, heldCmrc.Length)} | {Share(clue, heldClue.Length)} | "
                + $"{Share(cmrc + clue, all.Length)} | {Share(reviewed, all.Length)} |");
        }
        Console.WriteLine();

        var silo = SiloScreener(shipped.Entries);
        var blocking = heldCmrc.Concat(heldClue)
            .SelectMany(d => silo.Screen(d) is var r ? r.Findings.Where(f => Blocks(r, f.Category, PlatformPolicy.Default))
                .Select(f => $"{Categories.Name(f.Category)}:{f.Text} ({f.Weight:0.#})").Distinct() : [])
            .GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(20);
        var blockedBy = heldCmrc.Concat(heldClue).Select(silo.Screen).SelectMany(r => Categories.All.Where(c => Blocks(r, c, PlatformPolicy.Default)))
            .GroupBy(c => c).OrderByDescending(g => g.Count()).Select(g => $"{Categories.Name(g.Key)} {g.Count()}");
        Console.WriteLine("Blocked held-out paragraphs by blocking category: " + string.Join(", ", blockedBy) + ".");
        var politicsPastBlock = heldCmrc.Concat(heldClue).Count(d => silo.Screen(d).Score(Category.Politics) >= PlatformPolicy.DefaultThreshold.Block);
        Console.WriteLine($"Held-out paragraphs whose politics score reaches {PlatformPolicy.DefaultThreshold.Block} (reviewed, not blocked, by default): {politicsPastBlock}.");
        Console.WriteLine("Findings in blocked held-out text: " + string.Join(", ", blocking.Select(g => $"{g.Key} ×{g.Count()}")));
        Console.WriteLine();

        Evasion(silo, shipped);
    }

    private static IReadOnlyList<LexiconEntry> Variant(DefaultLexiconRecipe.Choices choices) =>
        DefaultLexiconRecipe.Build(choices, DefaultLexiconRecipe.Reference());

    /// <summary>What AddIngest and LexiconCatalog build: the starter list first, the default beside it.</summary>
    public static Screener SiloScreener(IReadOnlyList<LexiconEntry>? defaultEntries)
    {
        var sources = new List<LexiconSource> { StarterLexicon.Source };
        if (defaultEntries is not null)
        {
            sources.Add(new LexiconSource(DefaultLexicon.Name, DefaultLexicon.Version, defaultEntries));
        }
        return new Screener(LexiconSnapshot.Build(sources), MatchMode.Overlapping, abuseThreshold: AbuseModel.SiloThreshold);
    }

    /// <summary>0 allow, 1 review, 2 block under <paramref name="policy"/>, as AccountGrain decides.</summary>
    public static int Outcome(Screener screener, string text, PlatformPolicy policy)
    {
        var result = screener.Screen(text);
        return Categories.All.Any(c => Blocks(result, c, policy)) ? 2
            : Categories.All.Any(c => result.Score(c) > 0 && result.Score(c) >= policy.For(c).Review) ? 1 : 0;
    }

    private static bool Blocks(ScreeningResult result, Category category, PlatformPolicy policy) =>
        result.Score(category) > 0 && result.Score(category) >= policy.For(category).Block;

    private static void Cost(LexiconSource shipped)
    {
        var parse = new List<double>();
        var build = new List<double>();
        LexiconSnapshot? snapshot = null;
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            var parsed = LexiconParser.Parse(DefaultLexicon.ReadText());
            parse.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            snapshot = LexiconSnapshot.Build([StarterLexicon.Source, shipped with { Entries = parsed.Entries }]);
            build.Add(watch.Elapsed.TotalMilliseconds);
        }
        var houbb = RealLexicons.Houbb();
        var noDomains = shipped with { Entries = shipped.Entries.Where(e => !e.Term.Contains('.') || e.Term.Any(c => c > 0x7F)).ToList() };
        var baseline = TimeBuilds([houbb]);
        var words = TimeBuilds([StarterLexicon.Source, noDomains]);
        Console.WriteLine($"In the same run: houbb 43k alone {baseline:F0} ms, starter + default without its domains {words:F0} ms (medians).");
        Console.WriteLine($"Starter + default snapshot: {snapshot!.TermCount:N0} terms ({snapshot.DomainCount:N0} of them domains), {snapshot.SkippedTerms} skipped. "
            + $"Read and parse the embedded file: first {parse[0]:F0} ms, then median {Median(parse.Skip(1)):F0} ms; "
            + $"compile the snapshot: first {build[0]:F0} ms, then median {Median(build.Skip(1)):F0} ms (one thread, 7 runs).");
        Console.WriteLine();
    }

    private static void Evasion(Screener silo, LexiconSource shipped)
    {
        var domains = shipped.Entries.Where(e => e.Category == Category.Illegal && e.Term.Contains('.') && !e.Term.Any(c => c > 0x7F))
            .Select(e => e.Term).ToHashSet(StringComparer.Ordinal);
        var terms = shipped.Entries.Select(e => e.Term).Where(t => !domains.Contains(t)).Distinct().ToArray();
        Console.WriteLine($"### Evasion recall of the default's {terms.Length:N0} distinct terms (domains excluded), silo screener");
        Console.WriteLine();
        Console.WriteLine("| evasion | found | recall | ratio to clean |");
        Console.WriteLine("|---|---:|---:|---:|");
        var clean = EvasionReport.Recall(silo, terms, t => t);
        Console.WriteLine($"| clean | {clean.Found:N0} | {clean.Recall:F4} | 1.000 |");
        var worst = 1.0;
        foreach (var (index, kind) in EvasionVariants.Kinds.Index())
        {
            var random = new Random(1_000 + index);
            var result = EvasionReport.Recall(silo, terms, t => EvasionVariants.Apply(kind, t, random));
            worst = Math.Min(worst, result.Recall / clean.Recall);
            Console.WriteLine($"| {kind} | {result.Found:N0} | {result.Recall:F4} | {result.Recall / clean.Recall:F3} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Worst ratio to clean recall: {worst:F3}.");
        Console.WriteLine();

        var found = domains.Count(d => silo.Screen($"详情见 http://{d}/ 谢谢").Findings.Any(f => f.Source == shipped.FindingSource));
        var dotted = domains.Count(d => silo.Screen($"详情见 {d.Replace(".", "[.]", StringComparison.Ordinal)} 谢谢").Findings.Any(f => f.Source == shipped.FindingSource));
        Console.WriteLine($"Domains ({domains.Count:N0}): found as a URL in a sentence {Share(found, domains.Count)}, written with [.] for dots {Share(dotted, domains.Count)}.");
        Console.WriteLine();
    }

    private static double TimeBuilds(IReadOnlyList<LexiconSource> sources)
    {
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            LexiconSnapshot.Build(sources);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return Median(times.Skip(1));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Share(int n, int of) => $"{n} = {(double)n / of:P1}";
}
