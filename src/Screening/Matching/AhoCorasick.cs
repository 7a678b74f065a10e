using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cluster.Screening.Matching;

/// <summary>
/// Aho–Corasick automaton over UTF-16 chars reporting every occurrence of every pattern, overlapping ones
/// included. Immutable after construction and safe to share between threads.
/// </summary>
/// <remarks>
/// <para>
/// Layout, for a lexicon far bigger than the CPU caches: the root's transitions are a dense 65,536-entry
/// table, because the automaton is back at the root on most chars of benign text; every other edge is one
/// 64-bit word (state, char, target) in an open-addressing hash table, so a transition costs one cache line.
/// Each state's 64-bit filter of its child chars, failure link and first output sit together in one 16-byte
/// record: moving to a state loads one line, which then answers both "did anything match here" and, on the
/// next char, "can this state have that child" without a probe. States are numbered breadth first, so the
/// shallow states that almost every char visits are packed together.
/// </para>
/// <para>
/// Failure links and dictionary-suffix links make output enumeration proportional to the number of matches.
/// At most <see cref="MaxStates"/> states (about 16 million: a lexicon of several million terms).
/// </para>
/// </remarks>
internal sealed class AhoCorasick
{
    /// <summary>The most trie nodes an automaton can have: state ids are packed into 24 bits of an edge.</summary>
    public const int MaxStates = 1 << TargetBits;

    private const int Root = 0;
    private const int TargetBits = 24;
    private const int TargetMask = (1 << TargetBits) - 1;

    private readonly int[] _rootNext;
    private readonly ulong[] _edges;
    private readonly int _edgeShift;
    private readonly State[] _states;
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
        using var parentBuffer = new NativeBuffer<int>(capacity);
        using var labelBuffer = new NativeBuffer<char>(capacity);
        using var outputBuffer = new NativeBuffer<int>(capacity);
        var parent = parentBuffer.Span;
        var label = labelBuffer.Span;
        var output = outputBuffer.Span;
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

        if (count > MaxStates)
        {
            throw new ArgumentException($"The patterns make {count:N0} trie states; at most {MaxStates:N0} fit.", nameof(chars));
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
        // visiting order is also the final numbering (rank), which packs shallow states together.
        using var failBuffer = new NativeBuffer<int>(count);
        using var outputLinkBuffer = new NativeBuffer<int>(count);
        using var orderBuffer = new NativeBuffer<int>(count);
        var fail = failBuffer.Span;
        var outputLink = outputLinkBuffer.Span;
        var order = orderBuffer.Span;
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
        using var rankBuffer = new NativeBuffer<int>(count);
        var rank = rankBuffer.Span;
        for (var r = 0; r < count; r++)
        {
            rank[order[r]] = r;
        }

        // Final tables in breadth-first numbering.
        _states = LargeArray.Zeroed<State>(count);
        _outputs = LargeArray.Zeroed<Output>(count);
        for (var v = 1; v < count; v++)
        {
            var firstHit = output[v] >= 0 ? v : outputLink[v];
            _states[rank[v]] = new State { Fail = rank[fail[v]], FirstHit = firstHit == Root ? 0 : rank[firstHit] };
            _outputs[rank[v]] = new Output(output[v], outputLink[v] == Root ? 0 : rank[outputLink[v]]);
        }

        // A 64-bit filter of each state's child chars (bit c mod 64): most transitions tried while following
        // failure links do not exist, and the filter rejects them with no probe.
        for (var e = 0; e < edgeChar.Length; e++)
        {
            _states[rank[parent[edgeTarget[e]]]].ChildMask |= 1UL << (edgeChar[e] & 63);
        }

        _rootNext = LargeArray.Zeroed<int>(65536);
        for (var e = edgeStart[Root]; e < edgeStart[Root + 1]; e++)
        {
            _rootNext[edgeChar[e]] = rank[edgeTarget[e]];
        }

        // Every non-root edge in one open-addressing table at most half full: a transition is one multiply
        // and usually one probe, where a sorted edge list would cost a bisection over a cold cache line.
        var nonRootEdges = edgeChar.Length - (edgeStart[Root + 1] - edgeStart[Root]);
        var slots = 1 << Math.Max(4, 64 - BitOperations.LeadingZeroCount((ulong)Math.Max(1, nonRootEdges) * 2));
        _edgeShift = 64 - BitOperations.Log2((ulong)slots);
        _edges = LargeArray.Zeroed<ulong>(slots);
        for (var v = 1; v < count; v++)
        {
            for (var e = edgeStart[v]; e < edgeStart[v + 1]; e++)
            {
                var key = EdgeKey(rank[v], edgeChar[e]);
                var slot = Slot(key);
                while (_edges[slot] != 0)
                {
                    slot = (slot + 1) & (slots - 1);
                }
                // Never 0: the source state of a hashed edge is never the root.
                _edges[slot] = (key << TargetBits) | (uint)rank[edgeTarget[e]];
            }
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
        var states = _states;
        var outputs = _outputs;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            while (true)
            {
                if (state == Root)
                {
                    state = rootNext[c];
                    break;
                }
                ref readonly var current = ref states[state];
                if ((current.ChildMask & (1UL << (c & 63))) != 0 && Child(state, c) is var next and > 0)
                {
                    state = next;
                    break;
                }
                state = current.Fail;
            }
            var hit = states[state].FirstHit;
            while (hit > 0)
            {
                ref readonly var output = ref outputs[hit];
                sink.OnMatch(output.Pattern, i + 1);
                hit = output.Next;
            }
        }
    }

    private static ulong EdgeKey(int state, char c) => ((ulong)(uint)state << 16) | c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _edgeShift);

    /// <summary>The child of a non-root state by <paramref name="c"/>, or 0 when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Child(int state, char c)
    {
        var key = EdgeKey(state, c);
        var edges = _edges;
        var slot = Slot(key);
        while (true)
        {
            var edge = edges[slot];
            if (edge >> TargetBits == key)
            {
                return (int)(edge & TargetMask);
            }
            if (edge == 0)
            {
                return 0;
            }
            slot = (slot + 1) & (edges.Length - 1);
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

    /// <summary>One state's hot data, 16 bytes: child-char filter, failure link, first state of its output chain (0 when none).</summary>
    private struct State
    {
        public ulong ChildMask;
        public int Fail;
        public int FirstHit;
    }

    /// <summary>The pattern a state ends (-1 when none) and the next state on its output chain (0 at the end).</summary>
    private readonly record struct Output(int Pattern, int Next);
}
