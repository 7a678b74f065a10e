using System.Diagnostics;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Matching;
using Cluster.Screening.NearDuplicates;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Quality;

/// <summary>
/// What BenchmarkDotNet does not report: snapshot build time and retained memory, per-post latency
/// percentiles and GC pauses at steady state. Throughput figures of record come from
/// bench/Cluster.Benchmarks; SPEED_STAGES=1 adds a rough per-stage throughput breakdown.
/// </summary>
internal static class SpeedReport
{
    public static void Run()
    {
        var docs = RealLexicons.Clue();
        var chars = docs.Sum(d => (long)d.Length);
        Console.WriteLine($"## Stage-1 speed companions (CLUE sample: {docs.Length} documents, {chars:N0} chars)");
        Console.WriteLine();
        Console.WriteLine("| lexicon | terms | build | retained | p50 / p99 / max per post (≤ 280 chars) | GCs and pauses during the same 5 s |");
        Console.WriteLine("|---|---:|---:|---:|---|---|");
        foreach (var (name, sources) in new (string, Func<IReadOnlyList<LexiconSource>>)[]
                 {
                     ("houbb 43k", () => [RealLexicons.Houbb(0.9)]),
                     ("100k", RealLexicons.Lexicon100k),
                 })
        {
            var list = sources();
            GC.Collect(2, GCCollectionMode.Forced, true, true);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var build = Stopwatch.StartNew();
            var snapshot = LexiconSnapshot.Build(list);
            build.Stop();
            GC.KeepAlive(list);
            list = null;
            var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

            var rumors = RumorLibrary.Build(
                RealLexicons.Cmrc().Take(1000).Select((c, i) => new Rumor("ru-" + i, "t", c, "https://example.org")),
                ScreeningEngine.MatchForm);
            var screener = new Screener(snapshot, MatchMode.Overlapping, rumors);

            if (Environment.GetEnvironmentVariable("SPEED_STAGES") == "1")
            {
                Stages(docs, chars, snapshot, rumors);
            }
            // The latency buffer and the posts are allocated before the warm-up, which runs five passes and then
            // on until two gen1 collections have run (or ten seconds have passed): the first takes the posts and
            // what the build left into gen1, the second into gen2, at a cost of 1.3–6 ms (measured). That is
            // start-up, not steady state.
            var ticks = new long[4 << 20];
            var posts = docs.Select(d => d.Length > 280 ? d[..280] : d).ToArray();
            var warmGen1 = GC.CollectionCount(1);
            var warmTime = Stopwatch.StartNew();
            for (var warm = 0; warm < 5 || (GC.CollectionCount(1) - warmGen1 < 2 && warmTime.ElapsedMilliseconds < 10_000); warm++)
            {
                foreach (var d in docs)
                {
                    screener.Screen(d);
                }
            }

            // Per-post latency and GC at steady state: five seconds of posts (documents cut to 280 chars, as the
            // load generator sends them) after the runs above warmed up. Long enough for dozens of collections
            // at 100k terms, so the pause figures are a distribution rather than one collection.
            var count = 0;
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var pauseLog = new PauseLog();
            var window = Stopwatch.StartNew();
            while (count < ticks.Length && window.ElapsedMilliseconds < 5000)
            {
                var start = Stopwatch.GetTimestamp();
                screener.Screen(posts[count % posts.Length]);
                ticks[count++] = Stopwatch.GetTimestamp() - start;
                pauseLog.Check();
            }
            var pauses = GC.GetTotalPauseDuration() - pauseBefore;
            Array.Sort(ticks, 0, count);
            static string Us(long t) => $"{t * 1_000_000.0 / Stopwatch.Frequency:F1} µs";
            Console.WriteLine($"| {name} | {snapshot.TermCount:N0} | {build.Elapsed.TotalMilliseconds:F0} ms | {retained / 1048576.0:F1} MiB "
                + $"| {Us(ticks[count / 2])} / {Us(ticks[(int)(count * 0.99)])} / {Us(ticks[count - 1])} ({count:N0} posts) "
                + $"| {GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(2) - gen2} gen2, {pauses.TotalMilliseconds:F1} ms total; {pauseLog} |");
            Scaling(screener, docs, chars);
            if (name == "100k")
            {
                Reload(snapshot, rumors, posts, RealLexicons.Lexicon100k);
            }
        }
        Console.WriteLine();
    }

    /// <summary>
    /// Two-thread scaling measured so that machine noise cancels: 21 rounds, each a single-thread pass over the
    /// corpus straight followed by a two-thread pass (documents interleaved between a worker and this thread,
    /// as in the BenchmarkDotNet run), ratios taken within each round and their median reported with the range.
    /// Each round does the same for a control that shares nothing big between the threads (normalize and
    /// match view, private buffers and a 128 KB table): what the machine itself gives two threads at that
    /// moment, against which the pipeline's ratio is read.
    /// </summary>
    private static void Scaling(Screener screener, string[] docs, long chars)
    {
        const int Rounds = 21;
        var pipeline = new PairedRounds(Rounds);
        var control = new PairedRounds(Rounds);
        using var two = new TwoThreads();
        for (var round = -2; round < Rounds; round++) // two rounds of warm-up
        {
            pipeline.Measure(round, chars, two, (worker, workers) =>
            {
                for (var i = worker; i < docs.Length; i += workers)
                {
                    screener.Screen(docs[i]);
                }
            });
            control.Measure(round, chars, two, (worker, workers) =>
            {
                var normalized = new NormalizedText();
                var view = new NormalizedText();
                for (var i = worker; i < docs.Length; i += workers)
                {
                    TextNormalizer.Normalize(docs[i], normalized);
                    MatchView.Build(normalized, view);
                }
            });
        }
        Console.WriteLine($"|   two threads | | | | median of {Rounds} paired rounds: {pipeline}; control (normalize + match view) in the same rounds: {control} | |");
    }

    /// <summary>One-thread and two-thread throughput of the same pass, paired round by round.</summary>
    private sealed class PairedRounds(int rounds)
    {
        private readonly double[] _one = new double[rounds];
        private readonly double[] _two = new double[rounds];
        private readonly double[] _ratios = new double[rounds];

        /// <summary>Times <paramref name="pass"/>(worker, workers) on one thread, then on two; rounds below 0 are warm-up.</summary>
        public void Measure(int round, long chars, TwoThreads two, Action<int, int> pass)
        {
            var sw = Stopwatch.StartNew();
            pass(0, 1);
            var single = sw.Elapsed.TotalSeconds;
            var pair = two.Run(pass);
            if (round >= 0)
            {
                _one[round] = chars / single / 1e6;
                _two[round] = chars / pair / 1e6;
                _ratios[round] = single / pair;
            }
        }

        public override string ToString()
        {
            static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);
            return $"1 thread {Median(_one):F1} M chars/s, 2 threads {Median(_two):F1} M chars/s, "
                + $"ratio {Median(_ratios):F2}× (range {_ratios.Min():F2}–{_ratios.Max():F2})";
        }
    }

    /// <summary>This thread plus one long-lived worker, released together for each pass (no thread-pool start-up in the timing).</summary>
    private sealed class TwoThreads : IDisposable
    {
        private readonly Barrier _start = new(2);
        private readonly Barrier _done = new(2);
        private readonly Thread _worker;
        private Action<int, int>? _pass;

        public TwoThreads()
        {
            _worker = new Thread(() =>
            {
                while (true)
                {
                    _start.SignalAndWait();
                    if (_pass is not { } pass)
                    {
                        return;
                    }
                    pass(1, 2);
                    _done.SignalAndWait();
                }
            }) { IsBackground = true };
            _worker.Start();
        }

        /// <summary>Runs pass(0, 2) here and pass(1, 2) on the worker; returns the seconds until both finished.</summary>
        public double Run(Action<int, int> pass)
        {
            _pass = pass;
            _start.SignalAndWait();
            var sw = Stopwatch.StartNew();
            pass(0, 2);
            _done.SignalAndWait();
            return sw.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            _pass = null;
            _start.SignalAndWait();
            _worker.Join();
            _start.Dispose();
            _done.Dispose();
        }
    }

    /// <summary>
    /// Hot reload under load: one thread screens posts through the engine without pause while another builds
    /// the 100k snapshot three times and swaps each in; reports what the screening thread saw meanwhile.
    /// </summary>
    private static void Reload(LexiconSnapshot snapshot, RumorLibrary rumors, string[] posts, Func<IReadOnlyList<LexiconSource>> sources)
    {
        var engine = new ScreeningEngine(snapshot);
        engine.Swap(rumors);
        var lists = Enumerable.Range(0, 3).Select(_ => sources()).ToArray();
        // The parsed lists are old by the time an upload is compiled; collect them into gen2 first so the
        // figures are the build's own. The first collections after a forced compacting one are slow (a gen0
        // of about 1 ms, then a gen1 of 2.2–4.4 ms, with no build running at all), so screening settles for half a
        // second before the window opens: without that, those pauses were wrongly charged to the reload.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var settle = Stopwatch.StartNew();
        for (var i = 0; settle.ElapsedMilliseconds < 500; i++)
        {
            engine.Current.Screen(posts[i % posts.Length]);
        }
        var ticks = new List<long>(1 << 20);
        var swaps = 0;
        var pauseBefore = GC.GetTotalPauseDuration();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var builder = Task.Run(() =>
        {
            foreach (var list in lists)
            {
                engine.Swap(LexiconSnapshot.Build(list));
                Interlocked.Increment(ref swaps);
            }
        });
        var pauseLog = new PauseLog();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; !builder.IsCompleted; i++)
        {
            var start = Stopwatch.GetTimestamp();
            engine.Current.Screen(posts[i % posts.Length]);
            ticks.Add(Stopwatch.GetTimestamp() - start);
            pauseLog.Check();
        }
        builder.Wait();
        elapsed.Stop();
        var pauses = GC.GetTotalPauseDuration() - pauseBefore;
        ticks.Sort();
        static string Us(long t) => $"{t * 1_000_000.0 / Stopwatch.Frequency:F1} µs";
        Console.WriteLine();
        Console.WriteLine($"Hot reload: {swaps} builds and swaps of the 100k snapshot in {elapsed.Elapsed.TotalMilliseconds:F0} ms while one thread screened "
            + $"{ticks.Count:N0} posts; per post p50 {Us(ticks[ticks.Count / 2])}, p99 {Us(ticks[(int)(ticks.Count * 0.99)])}, max {Us(ticks[^1])}; "
            + $"{GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(1) - gen1} gen1, {GC.CollectionCount(2) - gen2} gen2 collections, "
            + $"{pauses.TotalMilliseconds:F1} ms paused in total, {pauseLog}.");
    }

    /// <summary>
    /// Every GC pause seen: checked after each post, it reads the pauses of the latest collection whenever the
    /// gen0 count moved (every collection counts as a gen0 one). Prints the median and the longest.
    /// </summary>
    private sealed class PauseLog
    {
        private readonly List<TimeSpan> _pauses = new(4096);
        private int _collections = GC.CollectionCount(0);

        public void Check()
        {
            if (GC.CollectionCount(0) == _collections)
            {
                return;
            }
            _collections = GC.CollectionCount(0);
            foreach (var pause in GC.GetGCMemoryInfo(GCKind.Any).PauseDurations)
            {
                if (pause > TimeSpan.Zero)
                {
                    _pauses.Add(pause);
                }
            }
        }

        public override string ToString()
        {
            if (_pauses.Count == 0)
            {
                return "no pauses";
            }
            var sorted = _pauses.Order().ToArray();
            return $"pause median {sorted[sorted.Length / 2].TotalMilliseconds:F2} ms, longest {sorted[^1].TotalMilliseconds:F2} ms";
        }
    }

    private static void Stages(string[] docs, long chars, LexiconSnapshot snapshot, RumorLibrary rumors)
    {
        var n = new NormalizedText();
        var v = new NormalizedText();
        var findings = new List<Finding>();
        var stages = new (string Name, Func<int> Run)[]
        {
            ("normalize", () => { var t = 0; foreach (var d in docs) { TextNormalizer.Normalize(d, n); t += n.Length; } return t; }),
            ("+ match view", () => { var t = 0; foreach (var d in docs) { TextNormalizer.Normalize(d, n); MatchView.Build(n, v); t += v.Length; } return t; }),
            ("+ lexicon", () => { var sink = new CountingSink(); foreach (var d in docs) { TextNormalizer.Normalize(d, n); MatchView.Build(n, v); snapshot.Automaton.Match(v.Chars, ref sink); } return sink.Count; }),
            ("numbers only", () => { foreach (var d in docs) { TextNormalizer.Normalize(d, n); findings.Clear(); Cluster.Screening.Detectors.NumberDetector.Scan(n, findings); } return findings.Count; }),
            ("domains only", () => { var t = 0; foreach (var d in docs) { TextNormalizer.Normalize(d, n); t += Cluster.Screening.Detectors.DomainScanner.Scan(n)?.Count ?? 0; } return t; }),
            ("contacts only", () => { foreach (var d in docs) { TextNormalizer.Normalize(d, n); MatchView.Build(n, v); findings.Clear(); Cluster.Screening.Detectors.ContactHandleDetector.Scan(v, findings); } return findings.Count; }),
            ("simhash only", () => { ulong x = 0; foreach (var d in docs) { TextNormalizer.Normalize(d, n); MatchView.Build(n, v); x ^= SimHash.Compute(v.Chars); } return (int)x; }),
            ("screen, no rumors", () => { var sc = new Screener(snapshot); var t = 0; foreach (var d in docs) { t += sc.Screen(d).Findings.Count; } return t; }),
            ("screen, with rumors", () => { var sc = new Screener(snapshot, MatchMode.Overlapping, rumors); var t = 0; foreach (var d in docs) { t += sc.Screen(d).Findings.Count; } return t; }),
            ("simhash + rumor lookup", () => { var t = 0; foreach (var d in docs) { TextNormalizer.Normalize(d, n); MatchView.Build(n, v); t += rumors.Match(v.Chars, out _) is null ? 0 : 1; } return t; }),
        };
        foreach (var (name, run) in stages)
        {
            Console.WriteLine($"  {name}: {Throughput(chars, run) / 1e6:F1} M chars/s");
        }
    }

    /// <summary>Best of five runs, in chars per second.</summary>
    private static double Throughput(long chars, Func<int> run)
    {
        run();
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return chars / best;
    }

    private struct CountingSink : IMatchSink
    {
        public int Count;

        public void OnMatch(int pattern, int end) => Count += end > 0 ? 1 : 0;
    }
}
