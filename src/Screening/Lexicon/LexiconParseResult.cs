namespace Cluster.Screening.Lexicon;

/// <summary>Entries of a lexicon file plus one message per rejected line, each starting with "line N:".</summary>
public sealed record LexiconParseResult(IReadOnlyList<LexiconEntry> Entries, IReadOnlyList<string> Errors);
