using Cluster.Screening.Normalization;

namespace Cluster.Screening.Detectors;

/// <summary>
/// Finds PRC ID numbers, mobile numbers and bank card numbers in normalized text (so full-width and circled
/// digits have already become ASCII). A candidate is a maximal run of digit groups joined by at most one
/// space or dash ("138 1234 5678", "6222-0200-..."); a run that is not a number as a whole is tried group
/// by group. Numbers inside longer digit runs never match: a run is classified only as a whole.
/// </summary>
internal static class NumberDetector
{
    public const string IdSource = "detector:id-number";
    public const string MobileSource = "detector:mobile";
    public const string CardSource = "detector:bank-card";

    public const double IdWeight = 0.6;
    public const double CardWeight = 0.6;
    public const double MobileWeight = 0.4;

    // Longest run worth classifying: a 19-digit card; +86 mobiles are 13. Longer runs are split into groups.
    private const int MaxRun = 24;

    public static void Scan(NormalizedText text, List<Finding> findings)
    {
        Span<char> digits = stackalloc char[MaxRun];
        Span<int> positions = stackalloc int[MaxRun];
        Span<int> groupEnds = stackalloc int[MaxRun];
        var chars = text.Chars;
        List<string>? seen = null;
        var i = 0;
        while (i < chars.Length)
        {
            // Jump to the next digit (vectorised); most text has few.
            var next = chars[i..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                return;
            }
            i += next;
            var count = 0;
            var groups = 0;
            var overflow = false;
            var j = i;
            while (true)
            {
                while (j < chars.Length && char.IsAsciiDigit(chars[j]))
                {
                    if (count < MaxRun)
                    {
                        digits[count] = chars[j];
                        positions[count] = j;
                        count++;
                    }
                    else
                    {
                        overflow = true;
                    }
                    j++;
                }
                // The check char of an ID number may be X; it only ever ends a run.
                if (count == IdNumber.Length - 1 && j < chars.Length && chars[j] == 'x' && !IsWordChar(chars, j + 1))
                {
                    digits[count] = 'x';
                    positions[count] = j;
                    count++;
                    j++;
                    if (groups < MaxRun)
                    {
                        groupEnds[groups++] = count;
                    }
                    break;
                }
                if (groups < MaxRun)
                {
                    groupEnds[groups++] = count;
                }
                if (j + 1 < chars.Length && chars[j] is ' ' or '-' && char.IsAsciiDigit(chars[j + 1]) && !overflow)
                {
                    j++;
                    continue;
                }
                break;
            }

            if (overflow || !Classify(text, digits[..count], positions, 0, findings, ref seen))
            {
                if (groups > 1 || overflow)
                {
                    var start = 0;
                    for (var g = 0; g < groups; g++)
                    {
                        Classify(text, digits[start..groupEnds[g]], positions, start, findings, ref seen);
                        start = groupEnds[g];
                    }
                }
            }
            i = j;
        }
    }

    private static bool IsWordChar(ReadOnlySpan<char> chars, int index) =>
        index < chars.Length && char.IsAsciiLetterOrDigit(chars[index]);

    private static bool Classify(
        NormalizedText text, ReadOnlySpan<char> digits, ReadOnlySpan<int> positions, int offset, List<Finding> findings, ref List<string>? seen)
    {
        if (digits.Length == IdNumber.Length && IdNumber.IsValid(digits))
        {
            Add(text, findings, Category.Pii, IdWeight, IdSource, digits, positions, offset, 6, 2, ref seen);
            return true;
        }
        var local = MobileNumber.LocalOffset(digits);
        if (local >= 0)
        {
            Add(text, findings, Category.Contact, MobileWeight, MobileSource, digits[local..], positions, offset + local, 3, 4, ref seen);
            return true;
        }
        if (BankCard.IsValid(digits))
        {
            Add(text, findings, Category.Pii, CardWeight, CardSource, digits, positions, offset, 6, 4, ref seen);
            return true;
        }
        return false;
    }

    private static void Add(
        NormalizedText text, List<Finding> findings, Category category, double weight, string source,
        ReadOnlySpan<char> digits, ReadOnlySpan<int> positions, int offset, int keepHead, int keepTail, ref List<string>? seen)
    {
        // The same number twice is one piece of evidence and one contribution to the score. Compared on the
        // digits, not the masked text: 138****5678 stands for 10,000 different numbers. Only this scan's
        // local list ever holds the digits.
        seen ??= [];
        foreach (var number in seen)
        {
            if (digits.SequenceEqual(number))
            {
                return;
            }
        }
        seen.Add(digits.ToString());
        var masked = Mask(digits, keepHead, keepTail);
        var start = text.OriginalStart(positions[offset]);
        var end = text.OriginalEnd(positions[offset + digits.Length - 1]);
        findings.Add(new Finding(category, weight, start, end, masked, source));
    }

    /// <summary>Keeps the head and tail, stars the middle: evidence stays useful without storing the number.</summary>
    internal static string Mask(ReadOnlySpan<char> digits, int keepHead, int keepTail) =>
        string.Create(digits.Length, (digits.ToString(), keepHead, keepTail), static (span, state) =>
        {
            var (d, head, tail) = state;
            for (var k = 0; k < span.Length; k++)
            {
                span[k] = k < head || k >= d.Length - tail ? char.ToUpperInvariant(d[k]) : '*';
            }
        });
}
