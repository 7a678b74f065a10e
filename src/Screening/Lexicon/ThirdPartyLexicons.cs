namespace Cluster.Screening.Lexicon;

/// <summary>
/// Converters from the third-party word lists in ../shared/data/lexicons to lexicon entries, used by the
/// tests and benchmarks. houbb's tag codes (its WordTagType enum): 0 politics, 1 drugs, 2 porn,
/// 3 gambling, 4 illegal; an untagged word becomes <paramref name="untagged"/>.
/// </summary>
internal static class ThirdPartyLexicons
{
    public static IReadOnlyList<LexiconEntry> FromHoubbTags(string text, double weight, Category untagged = Category.Illegal)
    {
        var entries = new List<LexiconEntry>();
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            var term = space < 0 ? line : line[..space].Trim();
            var tags = space < 0 ? [] : line[(space + 1)..];
            var any = false;
            foreach (var range in tags.Split(','))
            {
                Category? category = tags[range].Trim() switch
                {
                    "0" => Category.Politics,
                    "1" => Category.Drugs,
                    "2" => Category.Porn,
                    "3" => Category.Gambling,
                    "4" => Category.Illegal,
                    _ => null,
                };
                if (category is { } c && !term.IsEmpty)
                {
                    entries.Add(new LexiconEntry(term.ToString(), c, weight, Allow: false));
                    any = true;
                }
            }
            if (!any && !term.IsEmpty)
            {
                entries.Add(new LexiconEntry(term.ToString(), untagged, weight, Allow: false));
            }
        }
        return entries;
    }

    public static IReadOnlyList<LexiconEntry> FromWordList(string text, Category category, double weight)
    {
        var entries = new List<LexiconEntry>();
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var term = raw.Trim();
            if (!term.IsEmpty)
            {
                entries.Add(new LexiconEntry(term.ToString(), category, weight, Allow: false));
            }
        }
        return entries;
    }
}
