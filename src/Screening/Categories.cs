namespace Cluster.Screening;

/// <summary>Wire names of <see cref="Category"/> (api-v1.md spells them lowercase).</summary>
public static class Categories
{
    public const int Count = 14;

    private static readonly string[] Names =
    [
        "fraud", "gambling", "porn", "rumor", "abuse", "ads", "contact",
        "pii", "phishing", "drugs", "weapons", "illegal", "spam", "politics",
    ];

    public static IReadOnlyList<Category> All { get; } = Enumerable.Range(0, Count).Select(i => (Category)i).ToArray();

    public static string Name(Category category) => Names[(int)category];

    public static bool TryParse(string? name, out Category category)
    {
        var index = name is null ? -1 : Array.IndexOf(Names, name.Trim().ToLowerInvariant());
        category = index < 0 ? default : (Category)index;
        return index >= 0;
    }
}
