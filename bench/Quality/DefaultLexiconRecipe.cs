using System.Globalization;
using System.Text;
using Cluster.Screening;
using Cluster.Screening.Detectors;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Quality;

/// <summary>
/// How the shipped default lexicon (src/Screening/Lexicon/Default/default.lexicon) is made from the
/// third-party lists in ../shared/data/lexicons, with the import choices of the false-positive report:
/// terms ambiguous on the reference split at <see cref="LexiconTuner.DemotedWeight"/>, politics at
/// <see cref="PoliticsWeight"/>, two-character terms at <see cref="ShortWeight"/>. Deterministic: the same
/// lists give the same file, sorted by term.
/// </summary>
internal static class DefaultLexiconRecipe
{
    /// <summary>Political sensitivity is a reviewer's call, never an automatic block.</summary>
    public const double PoliticsWeight = 0.5;

    /// <summary>One short word alone is ambiguous: it reviews, three distinct ones block.</summary>
    public const double ShortWeight = 0.5;

    /// <summary>
    /// Highest weight of an imported term. The lists are scraped and crowd-sourced (upstream: "存在不少疏漏"), and
    /// words like 同性恋, 性生活 or 证监会 sit in them at full weight; one hit of such a list is grounds for review, not
    /// for removal, so a block needs two distinct terms (1 − 0.3² = 0.91) or one with several weaker ones. On the
    /// held-out benign text this took blocks from 58 to 23 and reviews from 130 to 165 (bench/README.md).
    /// </summary>
    public const double ImportedTermCap = 0.7;

    /// <summary>Share of reference documents that makes a term ambiguous (1 in 1,000), as in the false-positive table.</summary>
    public const double MinShare = 0.001;

    public const string DefaultPath = "src/Screening/Lexicon/Default/default.lexicon";

    /// <summary>
    /// Which lists go in and at what base weight. <see cref="Shipped"/> is the default; the report measures the
    /// alternatives beside it.
    /// </summary>
    /// <param name="AbuseWeight">houbb 辱骂: insults are a reviewer's call (quotes, banter), like the abuse model's 0.5; 0 leaves the list out.</param>
    /// <param name="AdsWeight">houbb 广告: generic words (兼职, 招聘, 客服, 淘宝), weak evidence; 0 leaves the list out.</param>
    /// <param name="KonshengAds">konsheng 广告类型: the houbb ad list minus three lines, so it only adds duplicates.</param>
    /// <param name="DomainWeight">houbb 网址: old spam, porn and phishing domains, many since lapsed: review, not block; 0 leaves the list out.</param>
    /// <param name="Politics">Highest weight of a politics term (<see cref="PoliticsWeight"/>); 0 leaves politics out.</param>
    /// <param name="TermCap">Highest weight of any imported term: below the block threshold, one hit of a scraped list reviews and blocking needs corroboration.</param>
    public sealed record Choices(double AbuseWeight, double AdsWeight, bool KonshengAds, double DomainWeight, double Politics = PoliticsWeight, double TermCap = 1.0)
    {
        public static Choices Shipped { get; } = new(AbuseWeight: 0.5, AdsWeight: 0.2, KonshengAds: false, DomainWeight: 0.5, TermCap: ImportedTermCap);
    }

    /// <summary>Benign text the weights are fitted on: cmrc2018 "dev" and the first half of the CLUE sample.</summary>
    public static string[] Reference()
    {
        var clue = RealLexicons.Clue();
        return RealLexicons.CmrcWithSplit().Where(c => c.Split == "dev").Select(c => c.Text).Concat(clue.Take(clue.Length / 2)).ToArray();
    }

    /// <summary>Benign text the fitting never saw: cmrc2018 "trial" (256) and the second half of CLUE (1,250).</summary>
    public static (string[] Cmrc, string[] Clue) HeldOut()
    {
        var clue = RealLexicons.Clue();
        return (RealLexicons.CmrcWithSplit().Where(c => c.Split == "trial").Select(c => c.Text).ToArray(), clue.Skip(clue.Length / 2).ToArray());
    }

    public static List<LexiconEntry> Build(Choices choices, IReadOnlyList<string> reference)
    {
        var words = new List<LexiconEntry>(RealLexicons.Houbb(weight: 1.0).Entries);
        words.AddRange(List("konsheng_porn.txt", Category.Porn, 1.0));
        words.AddRange(List("konsheng_guns_explosives.txt", Category.Weapons, 1.0));
        if (choices.AbuseWeight > 0)
        {
            words.AddRange(List("houbb_abuse.txt", Category.Abuse, choices.AbuseWeight));
        }
        if (choices.AdsWeight > 0)
        {
            words.AddRange(List("houbb_ads.txt", Category.Ads, choices.AdsWeight));
            if (choices.KonshengAds)
            {
                words.AddRange(List("konsheng_ads.txt", Category.Ads, choices.AdsWeight));
            }
        }
        var domains = choices.DomainWeight > 0 ? List("houbb_illegal_urls.txt", Category.Illegal, choices.DomainWeight) : [];

        words = words.Where(e => !IsDomain(e.Term)).ToList();
        var tuned = ShortToReview(PoliticsToReview(LexiconTuner.Tune(words, reference, MinShare).Entries, choices.Politics))
            .Where(e => e.Category != Category.Politics || choices.Politics > 0)
            .Select(e => e.Weight > choices.TermCap ? e with { Weight = choices.TermCap } : e);
        return Canonical(tuned.Concat(domains.Where(e => IsDomain(e.Term))));
    }

    public static List<LexiconEntry> PoliticsToReview(IEnumerable<LexiconEntry> entries, double weight = PoliticsWeight) =>
        entries.Select(e => e.Category == Category.Politics && e.Weight > weight ? e with { Weight = weight } : e).ToList();

    public static List<LexiconEntry> ShortToReview(IEnumerable<LexiconEntry> entries) =>
        entries.Select(e => MatchView.Build(e.Term).Length <= 2 && e.Weight > ShortWeight ? e with { Weight = ShortWeight } : e).ToList();

    /// <summary>The lexicon file: a header saying where it comes from, then one entry a line.</summary>
    public static string Format(IReadOnlyList<LexiconEntry> entries)
    {
        var text = new StringBuilder();
        text.Append("""
            # Default lexicon of Cluster.Screening, generated from third-party word lists; do not edit by hand.
            # houbb/sensitive-word (Apache-2.0) and konsheng/Sensitive-lexicon (MIT): upstream paths, commits,
            # changes and licence texts are in ATTRIBUTION.md and the licence files beside this file.
            # Regenerate from the repository root (needs ../shared/data):
            #   dotnet run -c Release --project bench/Quality -- default-lexicon
            # term<TAB>category<TAB>weight

            """);
        foreach (var e in entries)
        {
            text.Append(e.Term).Append('\t').Append(Categories.Name(e.Category)).Append('\t')
                .Append(e.Weight.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    private static List<LexiconEntry> List(string file, Category category, double weight) =>
        [.. ThirdPartyLexicons.FromWordList(SharedData.ReadAllText("lexicons/" + file), category, weight)];

    /// <summary>
    /// One entry per matched form and category, sorted. The snapshot gives every entry of a term its own finding
    /// and scores them as independent evidence, so FUCK, Fuck and fuck (one form after normalization) listed
    /// three times would score 0.875 where one scores 0.5. Dropped as well: forms <see cref="StarterLexicon"/>
    /// already carries under the same category (its hand-set weight stands), forms the snapshot cannot match
    /// (empty, or collapsing to one char like 妈妈), and lines the parser would misread.
    /// </summary>
    private static List<LexiconEntry> Canonical(IEnumerable<LexiconEntry> entries)
    {
        var starter = StarterLexicon.Source.Entries.Where(e => !e.Allow).Select(e => (Key(e.Term), e.Category)).ToHashSet();
        return entries
            .Where(e => e.Term.Length <= LexiconParser.MaxTermLength && e.Term[0] is not ('!' or '#') && !e.Term.Contains('\t'))
            .Select(e => (Entry: e, Key: Key(e.Term)))
            .Where(x => Matchable(x.Entry.Term, x.Key) && !starter.Contains((x.Key, x.Entry.Category)))
            .GroupBy(x => (x.Key, x.Entry.Category))
            .Select(g =>
            {
                var term = g.Select(x => x.Entry.Term).Min(StringComparer.Ordinal)!;
                return new LexiconEntry(term, g.Key.Category, g.Max(x => x.Entry.Weight), Allow: false);
            })
            .OrderBy(e => e.Term, StringComparer.Ordinal)
            .ThenBy(e => e.Category)
            .ToList();
    }

    private static string Key(string term) => IsDomain(term) ? TextNormalizer.Normalize(term) : MatchView.Build(term);

    private static bool Matchable(string term, string key) =>
        IsDomain(term) || (key.Length > 0 && !(key.Length == 1 && TextNormalizer.Normalize(term).Length > 1));

    /// <summary>The snapshot's test for a domain entry (looked up by the URL detector, not matched as a substring).</summary>
    private static bool IsDomain(string term)
    {
        var normalized = TextNormalizer.Normalize(term);
        var dot = normalized.LastIndexOf('.');
        return normalized.Length > 0 && normalized.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_')
            && normalized.IndexOf('.') > 0 && dot < normalized.Length - 1 && DomainName.IsTld(normalized.AsSpan(dot + 1));
    }
}
