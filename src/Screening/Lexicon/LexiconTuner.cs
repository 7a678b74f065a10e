namespace Cluster.Screening.Lexicon;

/// <summary>
/// Fits a raw third-party word list to real traffic before it is uploaded. Lists like houbb's are tagged
/// coarsely: 日本, 电影 and 国家 sit next to genuine porn and extremist terms. A term that occurs in a
/// noticeable share of a reference corpus of benign text is ambiguous, so its weight is lowered to
/// <see cref="DemotedWeight"/>: it is still evidence, but several must co-occur before they move a decision.
/// The reference corpus must be different text from whatever the result is measured on.
/// </summary>
internal static class LexiconTuner
{
    /// <summary>Weight given to ambiguous terms: eight distinct ones reach the default block threshold (0.8).</summary>
    public const double DemotedWeight = 0.1;

    public sealed record Result(IReadOnlyList<LexiconEntry> Entries, IReadOnlyList<(string Term, int Documents)> Demoted);

    /// <param name="minShare">Share of reference documents a term must occur in to be demoted (0.002 = 1 in 500).</param>
    public static Result Tune(IReadOnlyList<LexiconEntry> entries, IReadOnlyList<string> referenceBenign, double minShare)
    {
        var source = new LexiconSource("tuning", 0, entries);
        var screener = new Screener(LexiconSnapshot.Build([source]));
        var documents = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in referenceBenign)
        {
            foreach (var term in screener.Screen(doc).Findings.Where(f => f.Source == source.FindingSource)
                .Select(f => Normalization.MatchView.Build(f.Text)).Distinct())
            {
                documents[term] = documents.GetValueOrDefault(term) + 1;
            }
        }
        var threshold = Math.Max(2, (int)Math.Ceiling(minShare * referenceBenign.Count));
        var demoted = documents.Where(d => d.Value >= threshold).OrderByDescending(d => d.Value).Select(d => (d.Key, d.Value)).ToList();
        var demotedSet = demoted.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var tuned = entries
            .Select(e => !e.Allow && e.Weight > DemotedWeight && demotedSet.Contains(Normalization.MatchView.Build(e.Term)) ? e with { Weight = DemotedWeight } : e)
            .ToList();
        return new Result(tuned, demoted);
    }
}
