using BenchmarkDotNet.Attributes;
using Cluster.Screening.Lexicon;

namespace Cluster.Benchmarks;

/// <summary>Compiling a lexicon snapshot (normalize every term, build the automaton) — what a hot reload costs off the hot path.</summary>
[MemoryDiagnoser]
public class LexiconBuildBenchmarks
{
    private IReadOnlyList<LexiconSource> _sources = [];

    [Params("houbb-43k", "100k")]
    public string Lexicon { get; set; } = "houbb-43k";

    [GlobalSetup]
    public void Setup() => _sources = BenchCorpus.Lexicon(Lexicon);

    [Benchmark]
    public int Build() => LexiconSnapshot.Build(_sources).TermCount;
}
