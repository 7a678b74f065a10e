using System.Text;
using Cluster.Screening.Normalization;

namespace Cluster.Testing;

/// <summary>
/// Generates the evasions users actually send for a term: invisible characters, junk between characters,
/// spaces, full-width and stylised forms, case, traditional characters (ICU Simplified-Traditional),
/// repeated characters, inline pinyin (ICU Han-Latin), Cyrillic look-alikes, and combinations.
/// Deterministic for a given seed.
/// </summary>
internal static class EvasionVariants
{
    public static readonly string[] Kinds =
    [
        "zero-width", "junk", "spaces", "full-width", "stylised", "upper-case", "traditional", "repeats", "pinyin",
        "confusables", "traditional+zero-width+full-width", "junk+repeats+upper-case", "pinyin+stylised+confusables",
    ];

    private static readonly string[] Invisible = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF"];
    private static readonly string[] Junk = ["*", "#", "★", "☆", "~", "|", "_", "-", "+", "/", "♥", "♪", "😀", "🔥", "【", "】", "“"];

    private static readonly Dictionary<char, char> Cyrillic = new()
    {
        ['a'] = 'а', ['c'] = 'с', ['e'] = 'е', ['o'] = 'о', ['p'] = 'р', ['x'] = 'х', ['y'] = 'у', ['i'] = 'і', ['s'] = 'ѕ', ['j'] = 'ј',
    };

    /// <summary>
    /// Share of <paramref name="terms"/> found inside a carrier sentence once evaded: a term counts only when a finding
    /// (that <paramref name="counts"/>, if given) spans exactly its evaded occurrence.
    /// </summary>
    public static double Recall(Cluster.Screening.Screener screener, IReadOnlyList<string> terms, Func<string, string> evade, Func<Cluster.Screening.Finding, bool>? counts = null)
    {
        const string before = "据说";
        var found = 0;
        foreach (var term in terms)
        {
            var variant = evade(term);
            var text = before + variant + "。";
            var want = MatchView.Build(term);
            found += screener.Screen(text).Findings.Any(f => (counts is null || counts(f))
                && f.Start >= before.Length && f.End <= before.Length + variant.Length && MatchView.Build(text[f.Start..f.End]) == want) ? 1 : 0;
        }
        return (double)found / terms.Count;
    }

    /// <summary>An order for sampling terms that depends on neither file order nor string-hash randomisation.</summary>
    public static uint StableOrder(string term)
    {
        var hash = 2166136261u;
        foreach (var c in term)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    public static string Apply(string kind, string term, Random random)
    {
        var result = term;
        foreach (var part in kind.Split('+'))
        {
            result = ApplyOne(part, result, random);
        }
        return result;
    }

    private static string ApplyOne(string kind, string term, Random random) => kind switch
    {
        "zero-width" => Between(term, () => Invisible[random.Next(Invisible.Length)]),
        "junk" => Between(term, () => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Junk[random.Next(Junk.Length)]))),
        "spaces" => Between(term, () => " "),
        "full-width" => Map(term, c => c is > ' ' and <= '~' ? ((char)(c - 0x20 + 0xFF00)).ToString() : c.ToString()),
        "stylised" => Map(term, c => c switch
        {
            >= '1' and <= '9' => ((char)('①' + (c - '1'))).ToString(),
            '0' => "⓪",
            >= 'a' and <= 'z' => ((char)('ⓐ' + (c - 'a'))).ToString(),
            >= 'A' and <= 'Z' => ((char)('Ⓐ' + (c - 'A'))).ToString(),
            _ => c.ToString(),
        }),
        "upper-case" => term.ToUpperInvariant(),
        "traditional" => IcuFolding.Transliterate("Simplified-Traditional", term) ?? term,
        "repeats" => Repeat(term, random),
        "pinyin" => Map(term, c => TextNormalizer.IsCjk(c) && IcuFolding.Transliterate("Han-Latin", c.ToString()) is { } p && p != c.ToString()
            ? $"{c}({p})"
            : c.ToString()),
        "confusables" => Map(term, c => Cyrillic.TryGetValue(c, out var lookAlike) ? lookAlike.ToString() : c.ToString()),
        _ => throw new ArgumentException("unknown evasion " + kind, nameof(kind)),
    };

    private static string Between(string term, Func<string> filler)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < term.Length; i++)
        {
            // Never split a surrogate pair.
            if (i > 0 && !char.IsLowSurrogate(term[i]))
            {
                builder.Append(filler());
            }
            builder.Append(term[i]);
        }
        return builder.ToString();
    }

    private static string Map(string term, Func<char, string> map) => string.Concat(term.Select(map));

    private static string Repeat(string term, Random random)
    {
        var candidates = Enumerable.Range(0, term.Length).Where(i => term[i] >= 0x80 && !char.IsSurrogate(term[i])).ToArray();
        if (candidates.Length == 0)
        {
            return term;
        }
        var at = candidates[random.Next(candidates.Length)];
        return term[..at] + new string(term[at], random.Next(2, 4)) + term[at..];
    }
}
