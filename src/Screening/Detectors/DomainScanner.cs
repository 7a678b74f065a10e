using Cluster.Screening.Normalization;

namespace Cluster.Screening.Detectors;

/// <summary>
/// Finds domain names in normalized text, including the obfuscated dots people use to slip links past
/// filters: 。 and ． (folded to . by NFKC except 。), 点 and 點, [.] (.) [dot] (dot), and " dot ".
/// A candidate is two or more labels of [a-z0-9_-] joined by such dots and ending in a known TLD.
/// </summary>
internal static class DomainScanner
{
    private static readonly string[] Dots = ["[.]", "(.)", "[dot]", "(dot)", " dot ", ".", "。", "点", "·"];

    public readonly record struct Candidate(string Domain, int Start, int End);

    /// <summary>Domains in <paramref name="text"/>, with start and end as indices into the normalized text.</summary>
    public static List<Candidate>? Scan(NormalizedText text)
    {
        List<Candidate>? found = null;
        var chars = text.Chars;
        var i = 0;
        Span<Range> labels = stackalloc Range[16];
        while (i < chars.Length)
        {
            // Jump to the start of the next run of label chars (vectorized: most chars of a Chinese post are not).
            var next = chars[i..].IndexOfAny(LabelChars);
            if (next < 0)
            {
                break;
            }
            i += next;
            var count = 0;
            var j = i;
            var end = i;
            while (count < labels.Length)
            {
                var labelStart = j;
                while (j < chars.Length && IsLabelChar(chars[j]))
                {
                    j++;
                }
                labels[count++] = labelStart..j;
                end = j;
                var dot = DotLength(chars, j);
                if (dot == 0 || j + dot >= chars.Length || !IsLabelChar(chars[j + dot]))
                {
                    break;
                }
                j += dot;
            }
            // Trailing labels that are not a TLD are dropped until one is ("example.com.hello" → example.com).
            while (count >= 2 && !DomainName.IsTld(chars[labels[count - 1]]))
            {
                count--;
            }
            if (count >= 2)
            {
                var builder = new System.Text.StringBuilder();
                for (var l = 0; l < count; l++)
                {
                    builder.Append(l == 0 ? "" : ".").Append(chars[labels[l]]);
                }
                var domain = builder.ToString();
                end = labels[count - 1].End.Value;
                (found ??= []).Add(new Candidate(domain, i, end));
            }
            // end is where a label run stops, so the next search starts outside any run.
            i = end;
        }
        return found;
    }

    // Underscores are not valid in host names but real blocklists carry sub-domains with them.
    private static bool IsLabelChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_';

    private static readonly System.Buffers.SearchValues<char> LabelChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_");

    private static int DotLength(ReadOnlySpan<char> chars, int at)
    {
        var rest = chars[at..];
        foreach (var dot in Dots)
        {
            if (rest.StartsWith(dot, StringComparison.Ordinal))
            {
                return dot.Length;
            }
        }
        return 0;
    }
}
