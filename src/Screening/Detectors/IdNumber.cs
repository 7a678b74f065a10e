namespace Cluster.Screening.Detectors;

/// <summary>PRC resident identity number (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence, MOD 11-2 check.</summary>
internal static class IdNumber
{
    public const int Length = 18;

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    // Province-level codes in use (GB/T 2260), plus 71/81/82/83 for Taiwan, Hong Kong, Macao residence permits.
    private static readonly HashSet<int> Provinces =
    [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ];

    /// <summary>Whether 18 chars (17 digits and a digit or X/x) form a valid number: region, real date, check digit.</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length != Length)
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
            {
                return false;
            }
            sum += (id[i] - '0') * Weights[i];
        }
        if (char.ToUpperInvariant(id[17]) != CheckChars[sum % 11])
        {
            return false;
        }
        if (!Provinces.Contains(Number(id[..2])))
        {
            return false;
        }
        var year = Number(id.Slice(6, 4));
        var month = Number(id.Slice(10, 2));
        var day = Number(id.Slice(12, 2));
        return year is >= 1900 and <= 2099 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>The check char that makes the first 17 digits valid, for generating test data.</summary>
    public static char CheckChar(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckChars[sum % 11];
    }

    private static int Number(ReadOnlySpan<char> digits)
    {
        var n = 0;
        foreach (var d in digits)
        {
            n = n * 10 + (d - '0');
        }
        return n;
    }
}
