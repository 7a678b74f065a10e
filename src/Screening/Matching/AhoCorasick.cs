using System.Numerics;

namespace Cluster.Screening.Matching;

/// <summary>
/// Aho–Corasick automaton over UTF-16 chars reporting every occurrence of every pattern, overlapping ones
/// included. Immutable after construction and safe to share between threads.
/// </summary>
/// <remarks>
/// <para>
/// Layout, for a lexicon far bigger than the CPU caches: the root's transitions are a dense 65,536-entry
/// table, because the automaton is back at the root on most chars of benign text. Every other state is one
/// 16-byte slot of a double array: chars that label a non-root edge get dense codes, a state's children sit at
/// its base plus their codes, and each slot records its parent (Check), its own base, its failure link and
/// the first state of its output chain. Following a term therefore costs one cache line per char, the
/// child's slot, which already answers "did anything match here" and holds the base for the next char. Chars
/// no term continues with (code 0) skip the failure chain. Slots are laid out breadth first, so the shallow
/// states almost every char visits are packed together. With the 100k lexicon, 276,578 states take 280,525
/// slots (4.5 MB); the hashed-edge layout this replaced needed 12.4 MB and ran at about 60% of the speed.
/// </para>
/// <para>
/// Failure links and dictionary-suffix links make output enumeration proportional to the number of matches.
/// </para>
/// </remarks>
internal sealed class AhoCorasick
{
    private const int Root = 0;

    /// <summary>Child counts from here up share one placement hint.</summary>
    private const int ManyChildren = 64;

    private readonly int[] _rootNext;
    private readonly ushort[] _codes;
    private readonly Slot[] _slots;
    private readonly Output[] _outputs;

    public AhoCorasick(IReadOnlyList<string> patterns)
        : this(string.Concat(patterns ?? throw new ArgumentNullException(nameof(patterns))), Offsets(patterns))
    {
    }

    /// <summary>
    /// Builds over patterns stored back to back: pattern p is <paramref name="chars"/>[offsets[p]..offsets[p + 1]].
    /// Nothing is allocated per pattern or per node, and the scratch tables live in native memory
    /// (<see cref="NativeBuffer{T}"/>): the GC heap sees only the four final arrays, so a build running beside
    /// screening threads leaves their collections nothing to copy and adds little to the large-object budget.
    /// </summary>
    public AhoCorasick(ReadOnlySpan<char> chars, ReadOnlySpan<int> offsets)
    {
        var patternCount = Math.Max(0, offsets.Length - 1);

        // A trie: node arrays sized for the worst case (every char a new node), plus a (parent, char) → child
        // map used only while building.
        var capacity = chars.Length + 1;
        using var nodeBuffer = new NativeBuffer<int>(capacity * 2);
        using var labelBuffer = new NativeBuffer<char>(capacity);
        var parent = nodeBuffer.Span[..capacity];
        var output = nodeBuffer.Span[capacity..];
        var label = labelBuffer.Span;
        output[Root] = -1;
        parent[Root] = -1;
        var count = 1;
        using var children = new ChildMap(chars.Length);
        for (var p = 0; p < patternCount; p++)
        {
            var pattern = chars[offsets[p]..offsets[p + 1]];
            if (pattern.IsEmpty)
            {
                throw new ArgumentException($"Pattern {p} is empty.", nameof(offsets));
            }
            var node = Root;
            foreach (var c in pattern)
            {
                var key = ((long)node << 16) | c;
                var child = children.GetOrAdd(key, count);
                if (child == count)
                {
                    count++;
                    parent[child] = node;
                    label[child] = c;
                    output[child] = -1;
                }
                node = child;
            }
            if (output[node] >= 0)
            {
                throw new ArgumentException($"Patterns {output[node]} and {p} are equal.", nameof(offsets));
            }
            output[node] = p;
        }

        // Children of each node, sorted by char, in CSR form (old, insertion-order ids).
        using var edgeStartBuffer = new NativeBuffer<int>(count + 1);
        var edgeStart = edgeStartBuffer.Span;
        for (var v = 1; v < count; v++)
        {
            edgeStart[parent[v] + 1]++;
        }
        for (var v = 0; v < count; v++)
        {
            edgeStart[v + 1] += edgeStart[v];
        }
        using var edgeCharBuffer = new NativeBuffer<char>(count - 1);
        using var edgeTargetBuffer = new NativeBuffer<int>(count - 1);
        var edgeChar = edgeCharBuffer.Span;
        var edgeTarget = edgeTargetBuffer.Span;
        using (var fillBuffer = new NativeBuffer<int>(count))
        {
            var fill = fillBuffer.Span;
            edgeStart[..count].CopyTo(fill);
            for (var v = 1; v < count; v++)
            {
                var slot = fill[parent[v]]++;
                edgeChar[slot] = label[v];
                edgeTarget[slot] = v;
            }
        }
        for (var v = 0; v < count; v++)
        {
            edgeChar[edgeStart[v]..edgeStart[v + 1]].Sort(edgeTarget[edgeStart[v]..edgeStart[v + 1]]);
        }

        // Breadth first: a node's failure target is shallower, so it is final before the node needs it. The
        // visiting order is also the order slots are placed in.
        // One scratch block for the five per-state tables of the rest of the build.
        using var stateBuffer = new NativeBuffer<int>(count * 5);
        var fail = stateBuffer.Span.Slice(0, count);
        var outputLink = stateBuffer.Span.Slice(count, count);
        var order = stateBuffer.Span.Slice(2 * count, count);
        var position = stateBuffer.Span.Slice(3 * count, count);
        var stateBase = stateBuffer.Span.Slice(4 * count, count);
        var visited = 1;
        for (var head = 0; head < visited; head++)
        {
            var v = order[head];
            if (v != Root && parent[v] != Root)
            {
                var f = fail[parent[v]];
                var c = label[v];
                int next;
                while ((next = children.Get(((long)f << 16) | c)) == 0 && f != Root)
                {
                    f = fail[f];
                }
                fail[v] = next; // 0 (the root) when even the root has no child c
            }
            var fv = fail[v];
            outputLink[v] = v == Root ? 0 : output[fv] >= 0 ? fv : outputLink[fv];
            for (var e = edgeStart[v]; e < edgeStart[v + 1]; e++)
            {
                order[visited++] = edgeTarget[e];
            }
        }

        // Codes for the chars that label a non-root edge, most frequent first (see the class remarks).
        using var frequencyBuffer = new NativeBuffer<int>(65536);
        var frequency = frequencyBuffer.Span;
        for (var e = edgeStart[Root + 1]; e < edgeChar.Length; e++)
        {
            frequency[edgeChar[e]]++;
        }
        _codes = new ushort[65536];
        var alphabet = 0;
        var byFrequency = new List<(int Count, char Char)>();
        for (var c = 0; c < 65536; c++)
        {
            if (frequency[c] > 0)
            {
                byFrequency.Add((-frequency[c], (char)c));
            }
        }
        byFrequency.Sort();
        foreach (var (_, c) in byFrequency)
        {
            _codes[c] = (ushort)++alphabet;
        }

        // Slots are placed breadth first, so shallow states (visited on almost every char) are packed at the
        // front. First fit: a state's base is the first one at which every child code lands on a free slot,
        // searched from a hint per child count. Searched from the start, states with several children would
        // test millions of bases once the front is dense (15.6 million and 0.3 s with the 100k lexicon); from
        // the base the previous state of the same child count got, 3.4 million, for a few more gaps.
        using var free = new FreeSlots(count + alphabet + 1);
        free.Take(Root);
        var size = 1;
        var codes = new int[16];
        Span<int> hint = stackalloc int[ManyChildren + 1];
        for (var head = 0; head < count; head++)
        {
            var v = order[head];
            var childCount = edgeStart[v + 1] - edgeStart[v];
            if (childCount == 0)
            {
                continue;
            }
            if (v == Root)
            {
                // Reached through the dense root table, not through a base: any free slots will do.
                for (var e = edgeStart[v]; e < edgeStart[v + 1]; e++)
                {
                    var slot = free.FirstFreeFrom(1);
                    free.Take(slot);
                    position[edgeTarget[e]] = slot;
                    size = Math.Max(size, slot + 1);
                }
                continue;
            }
            if (codes.Length < childCount)
            {
                codes = new int[childCount * 2];
            }
            var lowest = int.MaxValue;
            for (var e = 0; e < childCount; e++)
            {
                codes[e] = _codes[edgeChar[edgeStart[v] + e]];
                lowest = Math.Min(lowest, codes[e]);
            }
            // Candidates are the free slots for the lowest code, each giving a base to test the others at.
            var bucket = Math.Min(childCount, ManyChildren);
            var b = free.FirstFreeFrom(Math.Max(lowest + 1, hint[bucket] + lowest)) - lowest;
            while (!free.AllFree(b, codes.AsSpan(0, childCount)))
            {
                b = free.FirstFreeFrom(b + lowest + 1) - lowest;
            }
            // A single child fits any free slot, so those states keep filling the gaps from the front.
            hint[bucket] = childCount > 1 ? b : 0;
            stateBase[v] = b;
            for (var e = 0; e < childCount; e++)
            {
                var slot = b + codes[e];
                free.Take(slot);
                position[edgeTarget[edgeStart[v] + e]] = slot;
                size = Math.Max(size, slot + 1);
            }
        }

        // Room for any base plus any code, so a lookup never leaves the array. Empty slots keep Check 0,
        // the root's id, which no lookup asks for: the root's own children come from the root table.
        var slotCount = size + alphabet + 1;
        _slots = LargeArray.Zeroed<Slot>(slotCount);
        _outputs = LargeArray.Zeroed<Output>(slotCount);
        for (var v = 1; v < count; v++)
        {
            var firstHit = output[v] >= 0 ? v : outputLink[v];
            _slots[position[v]] = new Slot
            {
                Check = position[parent[v]],
                Base = stateBase[v],
                Fail = position[fail[v]],
                FirstHit = firstHit == Root ? 0 : position[firstHit],
            };
            _outputs[position[v]] = new Output(output[v], outputLink[v] == Root ? 0 : position[outputLink[v]]);
        }

        _rootNext = LargeArray.Zeroed<int>(65536);
        for (var e = edgeStart[Root]; e < edgeStart[Root + 1]; e++)
        {
            _rootNext[edgeChar[e]] = position[edgeTarget[e]];
        }
    }

    private static int[] Offsets(IReadOnlyList<string> patterns)
    {
        var offsets = new int[patterns.Count + 1];
        for (var p = 0; p < patterns.Count; p++)
        {
            offsets[p + 1] = offsets[p] + (patterns[p]?.Length ?? 0);
        }
        return offsets;
    }

    /// <summary>
    /// Calls <paramref name="sink"/> once per occurrence with the pattern and the index just past its last
    /// char. Generic over the sink so the call is devirtualised and nothing is allocated.
    /// </summary>
    public void Match<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, IMatchSink, allows ref struct
    {
        var state = Root;
        var rootNext = _rootNext;
        var codes = _codes;
        var slots = _slots;
        var outputs = _outputs;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int code = codes[c];
            if (code == 0)
            {
                // No state but the root has a child by c: every failure chain would end at the root anyway.
                state = rootNext[c];
            }
            else
            {
                while (true)
                {
                    if (state == Root)
                    {
                        state = rootNext[c];
                        break;
                    }
                    ref readonly var current = ref slots[state];
                    var next = current.Base + code;
                    if (slots[next].Check == state)
                    {
                        state = next;
                        break;
                    }
                    state = current.Fail;
                }
            }
            var hit = slots[state].FirstHit;
            while (hit > 0)
            {
                ref readonly var output = ref outputs[hit];
                sink.OnMatch(output.Pattern, i + 1);
                hit = output.Next;
            }
        }
    }

    /// <summary>
    /// The build-time (node, char) → child map: open addressing over two flat native tables sized up front, so
    /// a build allocates no per-node objects and no growing tables. Children are never the root, so 0 means absent.
    /// </summary>
    private struct ChildMap : IDisposable
    {
        private NativeBuffer<long> _keysBuffer; // key + 1, 0 when empty
        private NativeBuffer<int> _childrenBuffer;
        private readonly int _mask;

        public ChildMap(int expected)
        {
            var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expected * 2));
            _keysBuffer = new NativeBuffer<long>(slots);
            _childrenBuffer = new NativeBuffer<int>(slots);
            _mask = slots - 1;
        }

        public void Dispose()
        {
            _keysBuffer.Dispose();
            _childrenBuffer.Dispose();
        }

        /// <summary>The child stored under <paramref name="key"/>, or <paramref name="added"/> after storing it.</summary>
        public readonly int GetOrAdd(long key, int added)
        {
            var keys = _keysBuffer.Span;
            var children = _childrenBuffer.Span;
            var slot = Slot(key);
            while (keys[slot] != 0)
            {
                if (keys[slot] == key + 1)
                {
                    return children[slot];
                }
                slot = (slot + 1) & _mask;
            }
            keys[slot] = key + 1;
            children[slot] = added;
            return added;
        }

        public readonly int Get(long key)
        {
            var keys = _keysBuffer.Span;
            var children = _childrenBuffer.Span;
            var slot = Slot(key);
            while (keys[slot] != 0)
            {
                if (keys[slot] == key + 1)
                {
                    return children[slot];
                }
                slot = (slot + 1) & _mask;
            }
            return 0;
        }

        private readonly int Slot(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32) & _mask;
    }

    /// <summary>
    /// The free slots of the double array while it is laid out: a union-find style "next free slot" chain,
    /// so finding the first free slot at or after a position skips whole runs of taken ones. Grows on demand.
    /// </summary>
    private sealed class FreeSlots : IDisposable
    {
        private NativeBuffer<int> _next; // _next[i] == i when slot i is free, else a later slot to look from

        public FreeSlots(int capacity)
        {
            _next = new NativeBuffer<int>(0);
            Ensure(capacity);
        }

        public int FirstFreeFrom(int slot)
        {
            Ensure(slot);
            var next = _next.Span;
            while (next[slot] != slot)
            {
                var after = next[slot];
                next[slot] = next[after]; // path halving
                slot = after;
            }
            return slot;
        }

        public bool AllFree(int @base, ReadOnlySpan<int> codes)
        {
            var next = _next.Span;
            foreach (var code in codes)
            {
                var slot = @base + code;
                if (slot < next.Length && next[slot] != slot)
                {
                    return false;
                }
            }
            return true;
        }

        public void Take(int slot)
        {
            Ensure(slot + 1);
            _next.Span[slot] = slot + 1;
        }

        public void Dispose() => _next.Dispose();

        private void Ensure(int slot)
        {
            var old = _next.Length;
            if (slot < old)
            {
                return;
            }
            _next.Resize(Math.Max(slot + 1, old + (old / 2)));
            var next = _next.Span;
            for (var i = old; i < next.Length; i++)
            {
                next[i] = i;
            }
        }
    }

    /// <summary>
    /// One state, 16 bytes: its parent (Check, which is how a lookup knows it landed on a child of the state
    /// it came from), the base its own children are placed from, its failure link, and the first state of its
    /// output chain (0 when none).
    /// </summary>
    private struct Slot
    {
        public int Check;
        public int Base;
        public int Fail;
        public int FirstHit;
    }

    /// <summary>The pattern a state ends (-1 when none) and the next state on its output chain (0 at the end).</summary>
    private readonly record struct Output(int Pattern, int Next);
}
