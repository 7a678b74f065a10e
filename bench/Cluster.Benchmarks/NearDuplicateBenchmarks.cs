using BenchmarkDotNet.Attributes;
using Cluster.Screening.NearDuplicates;

namespace Cluster.Benchmarks;

/// <summary>
/// Nearest stored fingerprint within Hamming distance 3 among 1,000,000, through the 4 × 16-bit pigeonhole
/// index. Half the queries are stored fingerprints with 0–3 bits flipped, half are random (misses).
/// One operation = one query.
/// </summary>
[MemoryDiagnoser]
public class NearDuplicateBenchmarks
{
    private const int Stored = 1_000_000;
    private const int Queries = 4_096;

    private SimHashIndex _index = null!;
    private ulong[] _queries = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        var stored = new ulong[Stored];
        _index = new SimHashIndex();
        for (var i = 0; i < Stored; i++)
        {
            stored[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            _index.Add(stored[i], i);
        }
        _queries = new ulong[Queries];
        for (var q = 0; q < Queries; q++)
        {
            if (q % 2 == 0)
            {
                var fp = stored[random.Next(Stored)];
                for (var flips = random.Next(0, 4); flips > 0; flips--)
                {
                    fp ^= 1UL << random.Next(64);
                }
                _queries[q] = fp;
            }
            else
            {
                _queries[q] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Queries)]
    public int FindNearestWithin3()
    {
        var hits = 0;
        foreach (var q in _queries)
        {
            hits += _index.TryFindNearest(q, 3, out _, out _) ? 1 : 0;
        }
        return hits;
    }
}
