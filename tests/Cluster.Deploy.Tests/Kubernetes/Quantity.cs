using System.Globalization;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>Kubernetes resource quantities ("512Mi", "2Gi", "250m", "1") as numbers, for comparing two of a kind.</summary>
internal static class Quantity
{
    private static readonly (string Suffix, double Factor)[] Suffixes =
    [
        ("Ki", 1024d), ("Mi", 1024d * 1024), ("Gi", 1024d * 1024 * 1024), ("Ti", 1024d * 1024 * 1024 * 1024),
        ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("m", 1e-3),
    ];

    public static double Parse(string text)
    {
        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return double.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }
        return double.Parse(text, CultureInfo.InvariantCulture);
    }
}
