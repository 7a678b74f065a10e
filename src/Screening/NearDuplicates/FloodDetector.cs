namespace Cluster.Screening.NearDuplicates;

/// <summary>
/// Counts how often near-identical texts (SimHash within <see cref="MaxDistance"/> bits) were observed in
/// a sliding time window, so that one spam text posted many times with small variations reads as a flood.
/// </summary>
/// <remarks>
/// <para>
/// Memory is bounded by <c>capacity</c>: observations live in a ring and the oldest is evicted when the
/// ring is full or when it is older than the window. Expired observations are evicted lazily, by the next
/// <see cref="Observe"/>. Identical fingerprints (the common copy-paste flood) share one index entry with
/// a multiplicity: the index stores each distinct retained fingerprint once, under the id of a group that
/// counts its copies, so a flood of exact copies does not grow the index buckets.
/// </para>
/// <para>
/// Per capacity slot: ring 20 bytes (fingerprint, timestamp, group), group bookkeeping 12 bytes
/// (multiplicity, free list, lookup scratch), about 28 bytes in the fingerprint → group dictionary, and
/// 96 bytes in the <see cref="SimHashIndex"/> per distinct fingerprint; plus the index's fixed 2 MiB.
/// </para>
/// <para>
/// One lock guards everything. That is acceptable because <see cref="Observe"/> is called once per post
/// and does O(1) amortized work (each observation is added and evicted once, and index buckets hold about
/// capacity / 65,536 fingerprints), so the lock is held briefly and contention stays low. The exception
/// is a flood of many distinct near-identical fingerprints, which share buckets: then a call reads, and
/// copies on write, up to the number of such fingerprints retained, at most <c>capacity</c>.
/// </para>
/// </remarks>
public sealed class FloodDetector
{
    /// <summary>The largest Hamming distance between fingerprints counted as the same text.</summary>
    public const int MaxDistance = 3;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SimHashIndex _index = new();

    private readonly ulong[] _ringFingerprint;
    private readonly long[] _ringTimestamp;
    private readonly int[] _ringGroup;
    private int _oldest;
    private int _size;

    // A group is one distinct fingerprint currently in the ring; its id is what the index stores.
    private readonly Dictionary<ulong, int> _groupOf;
    private readonly int[] _groupCount;
    private readonly int[] _freeGroups;
    private int _freeGroupCount;
    private readonly int[] _found;

    public FloodDetector(TimeProvider time, TimeSpan window, int threshold, int capacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Window = window;
        Threshold = threshold;
        _ringFingerprint = new ulong[capacity];
        _ringTimestamp = new long[capacity];
        _ringGroup = new int[capacity];
        _groupOf = new Dictionary<ulong, int>(capacity);
        _groupCount = new int[capacity];
        _freeGroups = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _freeGroups[i] = capacity - 1 - i;
        }
        _freeGroupCount = capacity;
        _found = new int[capacity];
    }

    public TimeSpan Window { get; }

    public int Threshold { get; }

    public int Capacity => _ringFingerprint.Length;

    /// <summary>
    /// How many observations are retained, at most <see cref="Capacity"/>. Expired ones are dropped by the
    /// next <see cref="Observe"/>, so this may include some older than the window.
    /// </summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="fingerprint"/> at the current time and returns how many retained
    /// observations within the window are within <see cref="MaxDistance"/> bits of it, this one included.
    /// </summary>
    public int Observe(ulong fingerprint)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            while (_size > 0 && _time.GetElapsedTime(_ringTimestamp[_oldest], now) >= Window)
            {
                EvictOldest();
            }
            if (_size == Capacity)
            {
                EvictOldest();
            }

            if (!_groupOf.TryGetValue(fingerprint, out var group))
            {
                group = _freeGroups[--_freeGroupCount];
                _groupOf.Add(fingerprint, group);
                _index.Add(fingerprint, group);
            }
            _groupCount[group]++;
            var slot = (_oldest + _size) % Capacity;
            _ringFingerprint[slot] = fingerprint;
            _ringTimestamp[slot] = now;
            _ringGroup[slot] = group;
            _size++;

            // There are never more groups than slots, so the scratch buffer holds every match.
            var found = _index.FindAll(fingerprint, MaxDistance, _found);
            var total = 0;
            foreach (var near in _found.AsSpan(0, found))
            {
                total += _groupCount[near];
            }
            return total;
        }
    }

    public bool IsFlood(int count) => count >= Threshold;

    private void EvictOldest()
    {
        var group = _ringGroup[_oldest];
        if (--_groupCount[group] == 0)
        {
            var fingerprint = _ringFingerprint[_oldest];
            _index.Remove(fingerprint, group);
            _groupOf.Remove(fingerprint);
            _freeGroups[_freeGroupCount++] = group;
        }
        _oldest = (_oldest + 1) % Capacity;
        _size--;
    }
}
