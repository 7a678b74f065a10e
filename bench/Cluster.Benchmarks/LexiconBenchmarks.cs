using System.Buffers;
using BenchmarkDotNet.Attributes;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Matching;

namespace Cluster.Benchmarks;

/// <summary>
/// The lexicon stage alone, single thread: every match with its position over the normalized match view of
/// each CLUE document. Baseline: the BCL's <see cref="SearchValues{T}"/> of strings (Teddy / Aho–Corasick
/// inside .NET), which finds the leftmost match from a position, so it is run from each match start + 1 to
/// report the same positions (it cannot report several terms ending at one place, so it does less work).
/// One operation = one document; chars/s = 683,597 / (2,500 × mean).
/// </summary>
[MemoryDiagnoser]
public class LexiconBenchmarks
{
    private string[] _views = [];
    private AhoCorasick _automaton = null!;
    private SearchValues<string> _searchValues = null!;

    [Params("houbb-43k", "100k")]
    public string Lexicon { get; set; } = "houbb-43k";

    [GlobalSetup]
    public void Setup()
    {
        _views = BenchCorpus.Views();
        var snapshot = LexiconSnapshot.Build(BenchCorpus.Lexicon(Lexicon));
        _automaton = snapshot.Automaton;
        var terms = BenchCorpus.Lexicon(Lexicon).SelectMany(s => s.Entries).Select(e => Screening.Normalization.MatchView.Build(e.Term))
            .Where(t => t.Length > 0).Distinct().ToArray();
        _searchValues = SearchValues.Create(terms, StringComparison.Ordinal);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2_500)]
    public int SearchValuesOfString()
    {
        var found = 0;
        foreach (var view in _views)
        {
            var span = view.AsSpan();
            var at = 0;
            while (at < span.Length)
            {
                var next = span[at..].IndexOfAny(_searchValues);
                if (next < 0)
                {
                    break;
                }
                found++;
                at += next + 1;
            }
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = 2_500)]
    public int AhoCorasickAllMatches()
    {
        var sink = new CountingSink();
        foreach (var view in _views)
        {
            _automaton.Match(view, ref sink);
        }
        return sink.Count;
    }

    private struct CountingSink : IMatchSink
    {
        public int Count;

        public void OnMatch(int pattern, int end) => Count++;
    }
}
