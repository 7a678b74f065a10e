using System.Numerics;

namespace Cluster.Screening.NearDuplicates;

/// <summary>
/// A set of (fingerprint, id) pairs answering "which stored fingerprints are within Hamming distance 3 of
/// this one" without scanning them all.
/// </summary>
/// <remarks>
/// <para>
/// Pigeonhole: the 64 bits are four 16-bit blocks, and two fingerprints that differ in at most 3 bits
/// differ in at most 3 blocks, so they agree exactly on at least one. Every pair is therefore stored four
/// times, once per block, in a table of 65,536 buckets keyed by that block's value; a lookup reads the
/// four buckets its own blocks select and checks the real distance of each entry there. With fingerprints
/// spread evenly a bucket holds about count / 65,536 entries, so a lookup touches 4 × that, not count.
/// Clusters of near-identical fingerprints (a spam flood) share buckets, and then a lookup and a write cost
/// the size of the cluster.
/// </para>
/// <para>
/// Memory: 4 × 65,536 bucket references = 2 MiB fixed, allocated up front; buckets start null. Each stored
/// pair costs 4 entries × 24 bytes (fingerprint, id, insertion sequence) = 96 bytes, plus a 24-byte array
/// header per non-empty bucket. Each write allocates four replacement buckets (copy-on-write), so
/// Add and Remove create garbage in proportion to the buckets' sizes.
/// </para>
/// <para>
/// Concurrency: readers take no lock and allocate nothing; they may run concurrently with one writer at a
/// time (writers serialize on a lock). A writer never mutates a published bucket: it copies it, edits the
/// copy and publishes it with a volatile write, so a reader sees each bucket either before or after a
/// write, never half-way. A reader overlapping an Add or Remove may or may not see that pair, but never
/// sees it twice (see <see cref="SeenInEarlierBlock"/>).
/// </para>
/// </remarks>
public sealed class SimHashIndex
{
    /// <summary>The largest distance the four-block pigeonhole guarantees to find.</summary>
    public const int MaxSupportedDistance = 3;

    private const int Blocks = 4;
    private const int BlockBits = 16;
    private const int BucketsPerTable = 1 << BlockBits;

    private readonly Entry[]?[][] _tables;

    // One bit per bucket, set while the bucket is non-empty: 8 KiB per table stays in cache, so a lookup in
    // a sparse index (a rumor library of thousands) rejects empty buckets without touching the 512 KiB
    // pointer tables, where every probe would be a cache miss.
    private readonly ulong[][] _occupied;
    private readonly Lock _writeLock = new();
    private long _nextSequence;
    private int _count;

    public SimHashIndex()
    {
        _tables = new Entry[]?[Blocks][];
        _occupied = new ulong[Blocks][];
        for (var block = 0; block < Blocks; block++)
        {
            _tables[block] = new Entry[]?[BucketsPerTable];
            _occupied[block] = new ulong[BucketsPerTable / 64];
        }
    }

    /// <summary>How many (fingerprint, id) pairs are stored.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Stores the pair. Adding a pair that is already stored does nothing (the index is a set), so the pair
    /// keeps its original insertion order for tie-breaking.
    /// </summary>
    public void Add(ulong fingerprint, int id)
    {
        lock (_writeLock)
        {
            // A stored pair is in all four tables; looking in one is enough.
            if (IndexOf(_tables[0][BlockKey(fingerprint, 0)], fingerprint, id) >= 0)
            {
                return;
            }
            var entry = new Entry(fingerprint, id, _nextSequence++);
            for (var block = 0; block < Blocks; block++)
            {
                var table = _tables[block];
                var key = BlockKey(fingerprint, block);
                var old = table[key];
                Entry[] bucket;
                if (old is null)
                {
                    bucket = [entry];
                }
                else
                {
                    bucket = new Entry[old.Length + 1];
                    old.CopyTo(bucket, 0);
                    bucket[^1] = entry;
                }
                Volatile.Write(ref table[key], bucket);
                Interlocked.Or(ref _occupied[block][key >> 6], 1UL << (key & 63));
            }
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>Removes the pair; false when it was not stored.</summary>
    public bool Remove(ulong fingerprint, int id)
    {
        lock (_writeLock)
        {
            if (IndexOf(_tables[0][BlockKey(fingerprint, 0)], fingerprint, id) < 0)
            {
                return false;
            }
            for (var block = 0; block < Blocks; block++)
            {
                var table = _tables[block];
                var key = BlockKey(fingerprint, block);
                var old = table[key]!;
                var at = IndexOf(old, fingerprint, id);
                Entry[]? bucket = null;
                if (old.Length > 1)
                {
                    // Shifting rather than swapping in the last entry keeps buckets in insertion order, so
                    // FindAll's output order depends only on what is stored, not on the history of removals.
                    bucket = new Entry[old.Length - 1];
                    old.AsSpan(0, at).CopyTo(bucket);
                    old.AsSpan(at + 1).CopyTo(bucket.AsSpan(at));
                }
                Volatile.Write(ref table[key], bucket);
                if (bucket is null)
                {
                    Interlocked.And(ref _occupied[block][key >> 6], ~(1UL << (key & 63)));
                }
            }
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    /// <summary>
    /// Finds the stored pair nearest to <paramref name="fingerprint"/> within <paramref name="maxDistance"/>
    /// bits; among equally near pairs the one added first wins. When nothing is that near, returns false
    /// with <paramref name="id"/> and <paramref name="distance"/> 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDistance"/> is not 0..3.</exception>
    public bool TryFindNearest(ulong fingerprint, int maxDistance, out int id, out int distance)
    {
        CheckDistance(maxDistance);
        id = 0;
        distance = int.MaxValue;
        var bestSequence = long.MaxValue;
        for (var block = 0; block < Blocks; block++)
        {
            var key = BlockKey(fingerprint, block);
            if ((Volatile.Read(ref _occupied[block][key >> 6]) & (1UL << (key & 63))) == 0)
            {
                continue;
            }
            var bucket = Volatile.Read(ref _tables[block][key]);
            foreach (ref readonly var entry in bucket.AsSpan())
            {
                var d = BitOperations.PopCount(entry.Fingerprint ^ fingerprint);
                if (d <= maxDistance && (d < distance || (d == distance && entry.Sequence < bestSequence)))
                {
                    id = entry.Id;
                    distance = d;
                    bestSequence = entry.Sequence;
                }
            }
            if (distance == 0 || maxDistance == 0)
            {
                // Every exact match is in every one of its buckets, so the first bucket read has them all.
                break;
            }
        }
        if (bestSequence == long.MaxValue)
        {
            distance = 0;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Writes the ids of the stored pairs within <paramref name="maxDistance"/> bits into
    /// <paramref name="ids"/>, stopping when it is full, and returns how many were written. Each pair is
    /// reported once although it may sit in up to four of the buckets read; an id stored under two
    /// different fingerprints is reported once per matching fingerprint. Order is unspecified.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDistance"/> is not 0..3.</exception>
    public int FindAll(ulong fingerprint, int maxDistance, Span<int> ids)
    {
        CheckDistance(maxDistance);
        var written = 0;
        for (var block = 0; block < Blocks && written < ids.Length; block++)
        {
            var bucket = Volatile.Read(ref _tables[block][BlockKey(fingerprint, block)]);
            foreach (ref readonly var entry in bucket.AsSpan())
            {
                var difference = entry.Fingerprint ^ fingerprint;
                if (BitOperations.PopCount(difference) <= maxDistance && !SeenInEarlierBlock(difference, block))
                {
                    ids[written++] = entry.Id;
                    if (written == ids.Length)
                    {
                        break;
                    }
                }
            }
        }
        return written;
    }

    /// <summary>
    /// True when the entry also agrees with the query on a block read before <paramref name="block"/>, so it
    /// was already considered there. Deciding from the bits rather than from what was seen needs no state,
    /// and a pair a concurrent writer has published in a later table but not yet in the earlier one is then
    /// missed rather than reported twice.
    /// </summary>
    private static bool SeenInEarlierBlock(ulong difference, int block)
    {
        for (var earlier = 0; earlier < block; earlier++)
        {
            if (BlockKey(difference, earlier) == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static int BlockKey(ulong fingerprint, int block) => (int)((fingerprint >> (block * BlockBits)) & 0xFFFF);

    private static int IndexOf(Entry[]? bucket, ulong fingerprint, int id)
    {
        if (bucket is not null)
        {
            for (var i = 0; i < bucket.Length; i++)
            {
                if (bucket[i].Fingerprint == fingerprint && bucket[i].Id == id)
                {
                    return i;
                }
            }
        }
        return -1;
    }

    private static void CheckDistance(int maxDistance)
    {
        if ((uint)maxDistance > MaxSupportedDistance)
        {
            ThrowDistanceOutOfRange(maxDistance);
        }
    }

    private static void ThrowDistanceOutOfRange(int maxDistance) =>
        throw new ArgumentOutOfRangeException(nameof(maxDistance), maxDistance, $"Only distances 0..{MaxSupportedDistance} are guaranteed by the four-block index.");

    /// <summary>The sequence breaks ties by insertion order across buckets; 64 bits so it never wraps.</summary>
    private readonly record struct Entry(ulong Fingerprint, int Id, long Sequence);
}
