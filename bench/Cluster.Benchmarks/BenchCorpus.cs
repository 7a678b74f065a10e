using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Benchmarks;

/// <summary>The CLUE sample and the lexicons the stage-1 benchmarks run on, built once per process.</summary>
internal static class BenchCorpus
{
    private static readonly Lazy<string[]> LazyDocuments = new(RealLexicons.Clue);

    /// <summary>2,500 documents, 683,597 chars: one benchmark operation is one document.</summary>
    public static string[] Documents => LazyDocuments.Value;

    public static int Count => Documents.Length;

    public static IReadOnlyList<LexiconSource> Lexicon(string name) => name switch
    {
        "houbb-43k" => [RealLexicons.Houbb(0.9)],
        "100k" => RealLexicons.Lexicon100k(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "houbb-43k or 100k"),
    };

    /// <summary>Each document in the form the automaton reads (normalized, then the match view).</summary>
    public static string[] Views() => Documents.Select(d =>
    {
        var normalized = new NormalizedText();
        var view = new NormalizedText();
        TextNormalizer.Normalize(d, normalized);
        MatchView.Build(normalized, view);
        return view.ToString();
    }).ToArray();

    public static string[] Normalized() => Documents.Select(TextNormalizer.Normalize).ToArray();
}
