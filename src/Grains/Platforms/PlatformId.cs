using System.Diagnostics.CodeAnalysis;

namespace Cluster.Grains.Platforms;

/// <summary>A platform's id: 1–64 chars of lowercase letters, digits, '-', '_' or '.'.</summary>
public readonly record struct PlatformId
{
    private PlatformId(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? value, [NotNullWhen(true)] out PlatformId? id)
    {
        id = null;
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
            {
                return false;
            }
        }
        id = new PlatformId(value);
        return true;
    }

    public static PlatformId Parse(string value) =>
        TryParse(value, out var id) ? id.Value : throw new FormatException($"'{value}' is not a platform id.");

    public override string ToString() => Value;
}
