using BenchmarkDotNet.Attributes;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Screening.NearDuplicates;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Benchmarks;

/// <summary>
/// The whole stage 1 per document: normalize → match view → lexicon → detectors → SimHash → rumor lookup
/// (1,000 cmrc2018 paragraphs as the rumor library). Single thread, and the same corpus split over 2 threads
/// (one operation is still one document, so the 2-thread mean should be about half): once through
/// <see cref="Parallel.For(int, int, Action{int})"/>, which wakes a pool thread for every invocation, and once
/// with a long-lived second worker released by a semaphore, as a server's busy workers would run.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private string[] _documents = [];
    private Screener _screener = null!;
    private NormalizedText _normalized = null!;
    private Thread? _worker;
    private readonly SemaphoreSlim _go = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private volatile bool _stopping;
    private int _workerFindings;

    [Params("houbb-43k", "100k")]
    public string Lexicon { get; set; } = "houbb-43k";

    [GlobalSetup]
    public void Setup()
    {
        _documents = BenchCorpus.Documents;
        var rumors = RumorLibrary.Build(
            RealLexicons.Cmrc().Take(1_000).Select((c, i) => new Rumor("ru-" + i, "t", c, "https://example.org")),
            ScreeningEngine.MatchForm);
        _screener = new Screener(LexiconSnapshot.Build(BenchCorpus.Lexicon(Lexicon)), MatchMode.Overlapping, rumors);
        _normalized = new NormalizedText();
        _worker = new Thread(() =>
        {
            while (true)
            {
                _go.Wait();
                if (_stopping)
                {
                    return;
                }
                _workerFindings = ScreenEveryOther(1);
                _done.Release();
            }
        }) { IsBackground = true, Name = "second worker" };
        _worker.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopping = true;
        _go.Release();
        _worker?.Join();
    }

    [Benchmark(OperationsPerInvoke = 2_500)]
    public int NormalizeOnly()
    {
        var total = 0;
        foreach (var d in _documents)
        {
            TextNormalizer.Normalize(d, _normalized);
            total += _normalized.Length;
        }
        return total;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2_500)]
    public int ScreenOneThread()
    {
        var findings = 0;
        foreach (var d in _documents)
        {
            findings += _screener.Screen(d).Findings.Count;
        }
        return findings;
    }

    [Benchmark(OperationsPerInvoke = 2_500)]
    public int ScreenTwoThreads()
    {
        // Documents interleaved between the two workers: lengths vary from 10 to 17,020 chars, and contiguous
        // halves would leave one worker idle at the end.
        var findings = new int[2];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, worker => findings[worker] = ScreenEveryOther(worker));
        return findings[0] + findings[1];
    }

    [Benchmark(OperationsPerInvoke = 2_500)]
    public int ScreenTwoLongLivedThreads()
    {
        _go.Release();
        var findings = ScreenEveryOther(0);
        _done.Wait();
        return findings + _workerFindings;
    }

    /// <summary>Screens documents first, first + 2, …: one worker's half of the interleaved split.</summary>
    private int ScreenEveryOther(int first)
    {
        var count = 0;
        for (var i = first; i < _documents.Length; i += 2)
        {
            count += _screener.Screen(_documents[i]).Findings.Count;
        }
        return count;
    }
}
