using System.Numerics;
using Cluster.Screening.NearDuplicates;

namespace Cluster.Screening.Tests.NearDuplicates;

public sealed class SimHashIndexTests
{
    [Fact]
    public void Agrees_with_a_linear_scan_on_random_fingerprints_with_planted_neighbours()
    {
        var random = new Random(42);
        var stored = new List<(ulong Fingerprint, int Id)>();
        var index = new SimHashIndex();
        void Add(ulong fingerprint)
        {
            var id = stored.Count * 7 + 3; // ids unrelated to positions, to catch index/id mix-ups
            stored.Add((fingerprint, id));
            index.Add(fingerprint, id);
        }

        for (var i = 0; i < 5_000; i++)
        {
            Add(NextUInt64(random));
        }
        var queries = new ulong[300];
        for (var q = 0; q < queries.Length; q++)
        {
            queries[q] = NextUInt64(random);
            // Neighbours at every distance 0..4, some distances twice so that ties occur.
            for (var distance = 0; distance <= 4; distance++)
            {
                for (var copies = random.Next(0, 3); copies > 0; copies--)
                {
                    Add(FlipBits(queries[q], distance, random));
                }
            }
        }
        Assert.Equal(stored.Count, index.Count);

        var found = new int[64];
        for (var q = 0; q < queries.Length; q++)
        {
            // Every other query is random, with nothing planted: its answer is almost always empty.
            var query = q % 2 == 0 ? queries[q] : NextUInt64(random);
            for (var maxDistance = 0; maxDistance <= 3; maxDistance++)
            {
                var expected = stored.Where(s => BitOperations.PopCount(s.Fingerprint ^ query) <= maxDistance).Select(s => s.Id).Order().ToArray();
                var count = index.FindAll(query, maxDistance, found);
                Assert.Equal(expected, found[..count].Order().ToArray());

                var nearest = stored
                    .Select((s, order) => (s.Id, Distance: BitOperations.PopCount(s.Fingerprint ^ query), Order: order))
                    .Where(s => s.Distance <= maxDistance)
                    .OrderBy(s => s.Distance).ThenBy(s => s.Order)
                    .Take(1)
                    .ToArray();
                var hit = index.TryFindNearest(query, maxDistance, out var id, out var distance);
                Assert.Equal(nearest.Length == 1, hit);
                if (hit)
                {
                    Assert.Equal((nearest[0].Id, nearest[0].Distance), (id, distance));
                }
            }
        }
    }

    [Fact]
    public void TryFindNearest_picks_the_nearest_and_breaks_ties_by_insertion_order()
    {
        const ulong query = 0x0123_4567_89AB_CDEF;
        var index = new SimHashIndex();
        index.Add(query ^ 0b111, 1);           // distance 3
        index.Add(query ^ (1UL << 40), 2);     // distance 1
        index.Add(query ^ (1UL << 63), 3);     // distance 1, added later
        index.Add(query ^ 0b11, 4);            // distance 2

        Assert.True(index.TryFindNearest(query, 3, out var id, out var distance));
        Assert.Equal((2, 1), (id, distance));

        Assert.False(index.TryFindNearest(query, 0, out _, out _));

        index.Add(query, 5);
        Assert.True(index.TryFindNearest(query, 3, out id, out distance));
        Assert.Equal((5, 0), (id, distance));
    }

    [Fact]
    public void Nothing_further_than_max_distance_is_found()
    {
        const ulong query = 0xFFFF_0000_FFFF_0000;
        var index = new SimHashIndex();
        index.Add(query ^ 0xF, 1); // distance 4, yet in the same bucket as the query in three blocks

        Assert.False(index.TryFindNearest(query, 3, out _, out _));
        Assert.Equal(0, index.FindAll(query, 3, new int[4]));
    }

    [Fact]
    public void FindAll_reports_an_item_in_several_buckets_once_and_stops_when_the_span_is_full()
    {
        const ulong query = 0x1111_2222_3333_4444;
        var index = new SimHashIndex();
        index.Add(query, 10);                 // agrees with the query on all four blocks
        index.Add(query ^ (1UL << 5), 11);    // agrees on three
        index.Add(query ^ (1UL << 20) ^ (1UL << 40), 12);

        var ids = new int[8];
        Assert.Equal(3, index.FindAll(query, 3, ids));
        Assert.Equal([10, 11, 12], ids[..3].Order());

        var two = new int[2];
        Assert.Equal(2, index.FindAll(query, 3, two));
        Assert.Equal(2, two.Distinct().Count());
        Assert.Equal(0, index.FindAll(query, 3, Span<int>.Empty));
    }

    [Fact]
    public void Remove_takes_out_exactly_the_pair()
    {
        const ulong fingerprint = 0xDEAD_BEEF_0000_1234;
        var index = new SimHashIndex();
        index.Add(fingerprint, 1);
        index.Add(fingerprint, 2);
        index.Add(fingerprint ^ 1, 3);

        Assert.True(index.Remove(fingerprint, 1));
        Assert.False(index.Remove(fingerprint, 1));
        Assert.False(index.Remove(fingerprint ^ 1, 2));
        Assert.Equal(2, index.Count);

        var ids = new int[4];
        Assert.Equal([2, 3], ids[..index.FindAll(fingerprint, 3, ids)].Order());
        Assert.True(index.TryFindNearest(fingerprint, 3, out var id, out _));
        Assert.Equal(2, id);

        Assert.True(index.Remove(fingerprint, 2));
        Assert.True(index.Remove(fingerprint ^ 1, 3));
        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.FindAll(fingerprint, 3, ids));
        Assert.False(index.TryFindNearest(fingerprint, 3, out _, out _));
    }

    [Fact]
    public void Adding_a_stored_pair_again_changes_nothing()
    {
        var index = new SimHashIndex();
        index.Add(42, 1);
        index.Add(43, 2);
        index.Add(42, 1);

        Assert.Equal(2, index.Count);
        var ids = new int[4];
        Assert.Equal(2, index.FindAll(42, 1, ids));
        Assert.True(index.Remove(42, 1));
        Assert.False(index.Remove(42, 1));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(64)]
    public void Distances_beyond_the_pigeonhole_guarantee_are_rejected(int maxDistance)
    {
        var index = new SimHashIndex();
        Assert.Throws<ArgumentOutOfRangeException>(() => index.TryFindNearest(0, maxDistance, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.FindAll(0, maxDistance, new int[1]));
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var random = new Random(3);
        var index = new SimHashIndex();
        const ulong query = 0x5555_AAAA_5555_AAAA;
        for (var i = 0; i < 100; i++)
        {
            index.Add(FlipBits(query, i % 5, random), i);
        }
        Span<int> ids = stackalloc int[128];
        index.TryFindNearest(query, 3, out _, out _);
        index.FindAll(query, 3, ids);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hit = index.TryFindNearest(query, 3, out _, out _);
        var count = index.FindAll(query, 3, ids);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(hit);
        Assert.Equal(80, count); // distances 0..3 of 0..4
    }

    [Fact]
    public async Task Readers_always_see_stable_items_while_a_writer_adds_and_removes_their_neighbours()
    {
        const ulong stable = 0x0F0F_F0F0_3C3C_C3C3;
        var index = new SimHashIndex();
        index.Add(stable ^ 0b11, -1);
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            var random = new Random(5);
            for (var i = 0; i < 1_000; i++)
            {
                var neighbour = FlipBits(stable, random.Next(0, 4), random);
                index.Add(neighbour, i);
                if (i % 2 == 0)
                {
                    index.Remove(neighbour, i);
                }
            }
            done.Cancel();
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var ids = new int[1_024];
            var lookups = 0;
            while (!done.IsCancellationRequested || lookups == 0)
            {
                Assert.True(index.TryFindNearest(stable, 3, out _, out var distance));
                Assert.InRange(distance, 0, 2);
                var count = index.FindAll(stable, 3, ids);
                Assert.Contains(-1, ids[..count]);
                Assert.Equal(count, ids[..count].Distinct().Count());
                lookups++;
            }
            return lookups;
        })).ToArray();

        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(1 + 500, index.Count);
    }

    internal static ulong NextUInt64(Random random) => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);

    /// <summary>Flips <paramref name="bits"/> distinct random bits.</summary>
    internal static ulong FlipBits(ulong fingerprint, int bits, Random random)
    {
        var mask = 0UL;
        while (BitOperations.PopCount(mask) < bits)
        {
            mask |= 1UL << random.Next(64);
        }
        return fingerprint ^ mask;
    }
}
