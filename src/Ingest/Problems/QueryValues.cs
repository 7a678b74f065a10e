using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Cluster.Ingest.Problems;

/// <summary>
/// Query parameters read as strings and parsed here, so a bad value is a 400 naming the parameter rather than a
/// binding failure without an errors map.
/// </summary>
internal static class QueryValues
{
    /// <summary>The parameter's one value (null when absent or empty), or false if it is given more than once.</summary>
    public static bool TryGet(IQueryCollection query, string name, out string? value)
    {
        var values = query[name];
        value = values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;
        return values.Count <= 1;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], <paramref name="fallback"/> when absent; else the error.</summary>
    public static string? Int(IQueryCollection query, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        var expected = $"must be an integer between {min} and {max}";
        if (!TryGet(query, name, out var text))
        {
            return expected + ", given once";
        }
        if (text is null)
        {
            return null;
        }
        // Digits only: no sign, spaces, exponent or thousands separators, and not the culture's digits.
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            value = fallback;
            return expected;
        }
        return null;
    }
}
