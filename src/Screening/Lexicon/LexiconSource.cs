namespace Cluster.Screening.Lexicon;

/// <summary>A named, versioned lexicon; findings from it name it as <c>lexicon:{Name}@{Version}</c>.</summary>
public sealed record LexiconSource(string Name, long Version, IReadOnlyList<LexiconEntry> Entries)
{
    public string FindingSource => $"lexicon:{Name}@{Version}";
}
