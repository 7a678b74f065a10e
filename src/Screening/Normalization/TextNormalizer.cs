using System.Globalization;
using System.Text;

namespace Cluster.Screening.Normalization;

/// <summary>
/// Stage-1 normalization: NFKC (full-width and circled forms to plain ones), case folding, traditional →
/// simplified Chinese, confusable letters to their ASCII skeleton, removal of zero-width and other format characters, and whitespace that separates CJK characters dropped so that
/// "测 试" reads as "测试". Every normalized char keeps the original range it came from, so evidence spans
/// point into the text the platform sent.
/// </summary>
/// <remarks>
/// NFKC and lower-casing are applied per code point through a table built once for the whole BMP
/// (65,536 entries, a few milliseconds at start-up) instead of calling <see cref="string.Normalize()"/>
/// per post. Per-code-point NFKC differs from whole-string NFKC only for combining sequences, which do not
/// change which lexicon terms or numbers a text contains.
/// </remarks>
internal static class TextNormalizer
{
    private const char Drop = '\uFFFF';
    private const char Expand = '\uFFFE';
    private const char Space = ' ';

    private static readonly char[] Table = BuildTable(out Expansions);
    private static readonly Dictionary<char, string> Expansions;

    public static string Normalize(string text)
    {
        var target = new NormalizedText();
        Normalize(text, target);
        return target.ToString();
    }

    public static void Normalize(ReadOnlySpan<char> text, NormalizedText target)
    {
        target.Clear(text.Length);
        var table = Table;
        var pendingSpace = false;
        var pendingStart = 0;
        var pendingEnd = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    AppendSupplementary(text.Slice(i, 2), i, target, ref pendingSpace, pendingStart, pendingEnd);
                    i++;
                }
                continue; // a lone surrogate carries nothing screenable
            }

            var mapped = table[c];
            if (mapped == Drop)
            {
                continue;
            }
            if (mapped == Space)
            {
                if (!pendingSpace)
                {
                    pendingSpace = true;
                    pendingStart = i;
                }
                pendingEnd = i + 1;
                continue;
            }
            if (mapped == Expand)
            {
                foreach (var e in Expansions[c])
                {
                    Emit(target, e, i, i + 1, ref pendingSpace, pendingStart, pendingEnd);
                }
                continue;
            }
            Emit(target, mapped, i, i + 1, ref pendingSpace, pendingStart, pendingEnd);
        }
    }

    private static void AppendSupplementary(
        ReadOnlySpan<char> pair, int start, NormalizedText target, ref bool pendingSpace, int pendingStart, int pendingEnd)
    {
        var s = pair.ToString();
        var category = CharUnicodeInfo.GetUnicodeCategory(s, 0);
        if (category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark)
        {
            return; // tag characters (U+E0000 block) and the like
        }
        // Mathematical alphanumerics (𝐀, 𝟙) fold to ASCII under NFKC; CJK extension ideographs stay as they are.
        var folded = s.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        foreach (var c in folded)
        {
            Emit(target, c, start, start + 2, ref pendingSpace, pendingStart, pendingEnd);
        }
    }

    private static void Emit(
        NormalizedText target, char c, int start, int end, ref bool pendingSpace, int pendingStart, int pendingEnd)
    {
        if (pendingSpace)
        {
            pendingSpace = false;
            // Whitespace survives only where it separates words that are not both CJK: "hello world" keeps it,
            // "测 试" loses it, and leading whitespace is never emitted.
            if (target.Length > 0 && !(IsCjk(target[target.Length - 1]) && IsCjk(c)))
            {
                target.Append(Space, pendingStart, pendingEnd);
            }
        }
        target.Append(c, start, end);
    }

    internal static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3040' and <= '\u30FF' or >= '\uAC00' and <= '\uD7AF';

    private static char[] BuildTable(out Dictionary<char, string> expansions)
    {
        var table = new char[65536];
        expansions = [];
        for (var code = 0; code < 65536; code++)
        {
            var c = (char)code;
            if (char.IsSurrogate(c))
            {
                table[code] = Drop;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                table[code] = Space;
                continue;
            }
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.OtherNotAssigned
                || IsInvisibleMark(c) || code >= 0xFFFE)
            {
                table[code] = Drop;
                continue;
            }
            var folded = c.ToString().Normalize(NormalizationForm.FormKC).ToLowerInvariant();
            folded = string.Concat(folded.Where(f => !char.IsWhiteSpace(f) || folded.Length == 1).Select(FoldScript));
            table[code] = folded.Length switch
            {
                0 => Drop,
                1 when char.IsWhiteSpace(folded[0]) => Space,
                1 => folded[0],
                _ => Expand,
            };
            if (folded.Length > 1)
            {
                expansions[c] = folded;
            }
        }
        return table;
    }

    /// <summary>
    /// Traditional → simplified for ideographs (ICU "Traditional-Simplified"); for other non-ASCII letters,
    /// the UTS #39 confusable skeleton when it is one ASCII letter or digit (Cyrillic а, Greek ο → a, o).
    /// ASCII itself is never remapped, so 0 and o, 1 and l stay distinct for the number detectors.
    /// </summary>
    private static char FoldScript(char c)
    {
        if (c < 0x80)
        {
            return c;
        }
        if (c is >= '\u3400' and <= '\u9FFF')
        {
            return IcuFolding.ToSimplified(c);
        }
        if (char.IsLetter(c) && !IsCjk(c))
        {
            var skeleton = IcuFolding.Skeleton(c);
            if (char.IsAsciiLetterOrDigit(skeleton))
            {
                return char.ToLowerInvariant(skeleton);
            }
        }
        return c;
    }

    // Marks that render as nothing but are categorised Mn: combining grapheme joiner, variation selectors,
    // Mongolian free variation selectors. Inserted between characters they defeat naive matching.
    private static bool IsInvisibleMark(char c) =>
        c is '\u034F' or >= '\uFE00' and <= '\uFE0F' or >= '\u180B' and <= '\u180F';
}
