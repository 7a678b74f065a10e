namespace Cluster.Screening.Detectors;

/// <summary>Payment card numbers: 16–19 digits, a major-network first digit, Luhn check.</summary>
internal static class BankCard
{
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        // 3 = AmEx/JCB, 4 = Visa, 5 = Mastercard, 6 = UnionPay/Discover. Requiring one of them cuts the
        // 10% of random long digit strings (order numbers, tracking ids) that pass Luhn by chance to 4%.
        return digits.Length is >= 16 and <= 19 && digits[0] is >= '3' and <= '6' && Luhn(digits);
    }

    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
            {
                return false;
            }
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
