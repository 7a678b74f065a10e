namespace Cluster.Screening.Detectors;

/// <summary>Mainland mobile numbers: 11 digits 1[3-9]xxxxxxxxx, optionally preceded by country code 86.</summary>
internal static class MobileNumber
{
    /// <summary>Offset of the 11-digit local number inside <paramref name="digits"/>, or -1.</summary>
    public static int LocalOffset(ReadOnlySpan<char> digits) => digits.Length switch
    {
        11 when IsLocal(digits) => 0,
        13 when digits.StartsWith("86") && IsLocal(digits[2..]) => 2,
        _ => -1,
    };

    private static bool IsLocal(ReadOnlySpan<char> d) => d[0] == '1' && d[1] is >= '3' and <= '9';
}
