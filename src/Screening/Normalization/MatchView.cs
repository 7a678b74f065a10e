using System.Globalization;

namespace Cluster.Screening.Normalization;

/// <summary>
/// The view of normalized text that lexicon terms are matched against: evasions that survive
/// <see cref="TextNormalizer"/> are undone here, keeping each char's original range.
/// <list type="bullet">
/// <item>Junk inserted between characters (symbols, emoji, brackets, quotes, dashes; at most
/// <see cref="MaxJunkRun"/> in a row) is skipped, so 大*麻 and 大😀麻 read as 大麻; so are spaces next to CJK
/// and spaces that spell out single Latin characters (f u c k). Sentence punctuation
/// (，。、；：？！——), longer junk runs and spaces between Latin words are kept, so ordinary punctuation between
/// words never glues them into a term.</item>
/// <item>A run of one repeated non-ASCII character collapses to one (大大大麻 → 大麻). ASCII never collapses:
/// English doubles letters legitimately (ass, all), and digits are numbers.</item>
/// <item>An inline pinyin or bracketed annotation right after a CJK character is dropped: 网(wǎng)络(luò) → 网络.</item>
/// </list>
/// Terms go through the same view, so a term and its evasions meet in one form.
/// </summary>
internal static class MatchView
{
    /// <summary>Longest junk run skipped between two characters; longer runs separate.</summary>
    public const int MaxJunkRun = 3;

    /// <summary>Longest annotation dropped, brackets excluded (pinyin of one syllable with tone: zhuàng = 6).</summary>
    private const int MaxAnnotation = 8;

    /// <summary>Normalizes <paramref name="text"/> and returns its match view (for terms, tests and tools).</summary>
    public static string Build(string text)
    {
        var source = new NormalizedText();
        TextNormalizer.Normalize(text, source);
        var target = new NormalizedText();
        Build(source, target);
        return target.ToString();
    }

    public static void Build(NormalizedText source, NormalizedText target)
    {
        target.Clear(source.Length);
        var s = source.Chars;
        var kinds = Kinds;
        var last = '\0'; // last emitted char; '\0' after a separator, so nothing collapses across one
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (kinds[c] == Kind.Word)
            {
                // Word chars are nearly all of real text: copy each run of them in one go, up to where a
                // non-ASCII char repeats the one before it (大大 → 大), which is skipped.
                if (c == last && c >= 0x80)
                {
                    i++;
                    continue;
                }
                var runEnd = i + 1;
                while (runEnd < s.Length && kinds[s[runEnd]] == Kind.Word && (s[runEnd] != s[runEnd - 1] || s[runEnd] < 0x80))
                {
                    runEnd++;
                }
                target.CopyRange(source, i, runEnd - i);
                last = s[runEnd - 1];
                i = runEnd;
                continue;
            }
            if (last != '\0' && TextNormalizer.IsCjk(last) && IsAnnotationOpen(c) && AnnotationEnd(s, i) is var end and > 0)
            {
                i = end; // skip "(wǎng)", brackets included
                continue;
            }
            if (last != '\0' && IsSkippable(s, i, last))
            {
                // The run is counted in symbols: an emoji (a surrogate pair) is one inserted character, and so
                // is a symbol repeated (★★★).
                var runEnd = i;
                var symbols = 0;
                var previous = ReadOnlySpan<char>.Empty;
                while (runEnd < s.Length && IsSkippable(s, runEnd, last))
                {
                    var width = char.IsHighSurrogate(s[runEnd]) && runEnd + 1 < s.Length && char.IsLowSurrogate(s[runEnd + 1]) ? 2 : 1;
                    var symbol = s.Slice(runEnd, width);
                    if (!symbol.SequenceEqual(previous) && ++symbols > MaxJunkRun)
                    {
                        break;
                    }
                    previous = symbol;
                    runEnd += width;
                }
                if (symbols <= MaxJunkRun && runEnd < s.Length && kinds[s[runEnd]] == Kind.Word)
                {
                    i = runEnd;
                    continue;
                }
            }
            // A separator, or junk that does not bridge two characters: kept, and breaks repeats.
            target.CopyFrom(source, i);
            last = '\0';
            i++;
        }
    }

    private static bool IsSkippable(ReadOnlySpan<char> s, int index, char last)
    {
        var c = s[index];
        return Kinds[c] == Kind.Junk
            || (c == ' ' && (IsCjkSpace(s, index) || IsSpacedOut(s, index)))
            || (c == '.' && TextNormalizer.IsCjk(last));
    }

    // "f u c k", "1 0 0 0": a space between two one-character Latin tokens spells a word out. Between longer
    // tokens ("I am a boy") it separates words and stays.
    private static bool IsSpacedOut(ReadOnlySpan<char> s, int index) =>
        index > 0 && index + 1 < s.Length
        && char.IsAsciiLetterOrDigit(s[index - 1]) && (index == 1 || !char.IsAsciiLetterOrDigit(s[index - 2]))
        && char.IsAsciiLetterOrDigit(s[index + 1]) && (index + 2 == s.Length || !char.IsAsciiLetterOrDigit(s[index + 2]));

    // The normalizer keeps a space only where it borders a non-CJK char; next to a CJK char it is still noise ("加 v").
    private static bool IsCjkSpace(ReadOnlySpan<char> s, int index) =>
        (index > 0 && TextNormalizer.IsCjk(s[index - 1])) || (index + 1 < s.Length && TextNormalizer.IsCjk(s[index + 1]));

    private static bool IsAnnotationOpen(char c) => c is '(' or '[' or '【' or '〔';

    /// <summary>Index just past the closing bracket of a pinyin annotation starting at <paramref name="open"/>, or 0.</summary>
    private static int AnnotationEnd(ReadOnlySpan<char> s, int open)
    {
        var close = s[open] switch { '(' => ')', '[' => ']', '【' => '】', _ => '〕' };
        var j = open + 1;
        while (j < s.Length && j - open - 1 < MaxAnnotation && IsPinyin(s[j]))
        {
            j++;
        }
        return j > open + 1 && j < s.Length && s[j] == close ? j + 1 : 0;
    }

    private static bool IsPinyin(char c) =>
        char.IsAsciiLetterLower(c) || c is >= '1' and <= '5' or 'ü' or ' ' or '\''
        || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ".Contains(c, StringComparison.Ordinal);

    // Classify of every UTF-16 unit, so the hot loop does one load per char.
    private static readonly Kind[] Kinds = BuildKinds();

    private static Kind[] BuildKinds()
    {
        var kinds = new Kind[65536];
        for (var c = 0; c < kinds.Length; c++)
        {
            kinds[c] = Classify((char)c);
        }
        return kinds;
    }

    private static Kind Classify(char c)
    {
        if (c < 0x80)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                return Kind.Word;
            }
            return c is ',' or ';' or ':' or '?' or '!' or '.' or ' ' or '\n' ? Kind.Separator : Kind.Junk;
        }
        if (TextNormalizer.IsCjk(c))
        {
            return Kind.Word;
        }
        if (c is '。' or '、' or '…' or '—' or '「' or '」' or '『' or '』')
        {
            return Kind.Separator;
        }
        if (char.IsSurrogate(c))
        {
            return Kind.Junk; // emoji and other astral symbols; astral ideographs are rare enough to lose
        }
        return char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.MathSymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol
                or UnicodeCategory.CurrencySymbol or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.EnclosingMark => Kind.Junk,
            _ => Kind.Word,
        };
    }

    private enum Kind : byte
    {
        Word,
        Junk,
        Separator,
    }
}
