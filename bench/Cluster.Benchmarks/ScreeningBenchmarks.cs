using BenchmarkDotNet.Attributes;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Benchmarks;

/// <summary>
/// Stage-1 screening of real text: the CLUE sample (2,500 documents, 683,597 chars of news, Q&amp;A and
/// reviews) screened document by document, with the built-in starter lexicon and with the 43,768-line houbb
/// lexicon. One operation = one document, so ns/op is per post and chars/s = 683,597 / (2,500 × ns/op).
/// </summary>
[MemoryDiagnoser]
public class ScreeningBenchmarks
{
    private string[] _documents = [];
    private Screener _screener = null!;
    private NormalizedText _normalized = null!;

    [Params("starter", "houbb-43k")]
    public string Lexicon { get; set; } = "starter";

    [GlobalSetup]
    public void Setup()
    {
        _documents = File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt")).Where(l => l.Length > 0).ToArray();
        var sources = new List<LexiconSource> { StarterLexicon.Source };
        if (Lexicon == "houbb-43k")
        {
            var houbb = ThirdPartyLexicons.FromHoubbTags(SharedData.ReadAllText("lexicons/houbb_sensitive_word_tags.txt"), 0.9);
            sources.Add(new LexiconSource("houbb", 1, houbb));
        }
        _screener = new Screener(LexiconSnapshot.Build(sources));
        _normalized = new NormalizedText();
    }

    public int Documents => _documents.Length;

    /// <summary>Normalize only.</summary>
    [Benchmark(OperationsPerInvoke = 2_500)]
    public int Normalize()
    {
        var total = 0;
        foreach (var d in _documents)
        {
            TextNormalizer.Normalize(d, _normalized);
            total += _normalized.Length;
        }
        return total;
    }

    /// <summary>The whole stage: normalize, lexicon automaton, allow-list, detectors, findings.</summary>
    [Benchmark(OperationsPerInvoke = 2_500)]
    public int Screen()
    {
        var findings = 0;
        foreach (var d in _documents)
        {
            findings += _screener.Screen(d).Findings.Count;
        }
        return findings;
    }
}
