using System.Runtime.CompilerServices;

namespace Cluster.Screening.Matching;

/// <summary>
/// Aho–Corasick automaton over UTF-16 chars reporting every occurrence of every pattern, overlapping ones
/// included. Immutable after construction and safe to share between threads.
/// </summary>
/// <remarks>
/// Layout: the root's transitions are a dense 65,536-entry table, because the automaton is back at the root
/// on most chars of benign text; every other edge lives in one open-addressing hash table keyed by (state,
/// char), behind a 64-bit filter of each state's child chars that rejects most failed transitions outright. Failure links and
/// dictionary-suffix links make output enumeration proportional to the number of matches.
/// </remarks>
internal sealed class AhoCorasick
{
    private const int Root = 0;
    
    private readonly int[] _rootNext;
    private readonly ulong[] _edgeKeys;
    private readonly int[] _edgeTargets;
    private readonly int _edgeShift;
    private readonly int[] _fail;
    private readonly int[] _output;
    private readonly int[] _outputLink;
    private readonly int[] _patternLength;
    private readonly ulong[] _childMask;
    private readonly int[] _firstHit;

    public AhoCorasick(IReadOnlyList<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patternLength = new int[patterns.Count];

        // Build a trie: node arrays plus a (parent, char) → child dictionary used only while building.
        var parent = new List<int> { -1 };
        var label = new List<char> { '\0' };
        var output = new List<int> { -1 };
        var children = new Dictionary<long, int>();
        for (var p = 0; p < patterns.Count; p++)
        {
            var pattern = patterns[p];
            if (string.IsNullOrEmpty(pattern))
            {
                throw new ArgumentException($"Pattern {p} is empty.", nameof(patterns));
            }
            _patternLength[p] = pattern.Length;
            var node = Root;
            foreach (var c in pattern)
            {
                var key = ((long)node << 16) | c;
                if (!children.TryGetValue(key, out var child))
                {
                    child = parent.Count;
                    parent.Add(node);
                    label.Add(c);
                    output.Add(-1);
                    children.Add(key, child);
                }
                node = child;
            }
            if (output[node] >= 0)
            {
                throw new ArgumentException($"Patterns {output[node]} and {p} are equal.", nameof(patterns));
            }
            output[node] = p;
        }

        var count = parent.Count;
        _output = [.. output];

        // Flatten edges into CSR order, sorted by char within each state.
        var edgeStart = new int[count + 1];
        for (var v = 1; v < count; v++)
        {
            edgeStart[parent[v] + 1]++;
        }
        for (var s = 0; s < count; s++)
        {
            edgeStart[s + 1] += edgeStart[s];
        }
        var edgeChar = new char[count - 1];
        var edgeTarget = new int[count - 1];
        var fill = edgeStart[..^1];
        for (var v = 1; v < count; v++)
        {
            var slot = fill[parent[v]]++;
            edgeChar[slot] = label[v];
            edgeTarget[slot] = v;
        }
        for (var s = 0; s < count; s++)
        {
            Array.Sort(edgeChar, edgeTarget, edgeStart[s], edgeStart[s + 1] - edgeStart[s]);
        }

        // A 64-bit filter of each state's child chars (bit c mod 64): most transitions tried while following
        // failure links do not exist, and the filter rejects them with one load instead of an edge search.
        _childMask = new ulong[count];
        for (var e = 0; e < edgeChar.Length; e++)
        {
            _childMask[parent[edgeTarget[e]]] |= 1UL << (edgeChar[e] & 63);
        }

        // Every non-root edge in one open-addressing table keyed by (state, char): a transition is one
        // multiply and usually one probe, where a sorted edge list costs a bisection over a cold cache line.
        var slots = 1 << Math.Max(4, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, edgeChar.Length) * 2));
        _edgeShift = 64 - System.Numerics.BitOperations.Log2((ulong)slots);
        _edgeKeys = new ulong[slots];
        _edgeTargets = new int[slots];
        for (var e = edgeStart[Root + 1]; e < edgeChar.Length; e++)
        {
            var key = EdgeKey(parent[edgeTarget[e]], edgeChar[e]);
            var slot = (int)((key * 0x9E3779B97F4A7C15UL) >> _edgeShift);
            while (_edgeKeys[slot] != 0)
            {
                slot = (slot + 1) & (slots - 1);
            }
            _edgeKeys[slot] = key;
            _edgeTargets[slot] = edgeTarget[e];
        }

        _rootNext = new int[65536];
        for (var e = edgeStart[Root]; e < edgeStart[Root + 1]; e++)
        {
            _rootNext[edgeChar[e]] = edgeTarget[e];
        }

        // Breadth-first: a state's failure target is shallower, so it is final before the state needs it.
        _fail = new int[count];
        _outputLink = new int[count];
        var queue = new Queue<int>();
        for (var e = edgeStart[Root]; e < edgeStart[Root + 1]; e++)
        {
            queue.Enqueue(edgeTarget[e]);
        }
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            if (parent[v] != Root)
            {
                var f = _fail[parent[v]];
                var c = label[v];
                int next;
                while ((next = Next(f, c)) < 0)
                {
                    f = _fail[f];
                }
                _fail[v] = next;
            }
            var fv = _fail[v];
            _outputLink[v] = _output[fv] >= 0 ? fv : _outputLink[fv];
            for (var e = edgeStart[v]; e < edgeStart[v + 1]; e++)
            {
                queue.Enqueue(edgeTarget[e]);
            }
        }

        // The first state on the output chain of each state (itself when it ends a pattern), or 0: one load
        // per char decides whether anything matched.
        _firstHit = new int[count];
        for (var v = 1; v < count; v++)
        {
            _firstHit[v] = _output[v] >= 0 ? v : _outputLink[v];
        }
    }

    public int PatternCount => _patternLength.Length;

    public int PatternLength(int pattern) => _patternLength[pattern];

    /// <summary>
    /// Calls <paramref name="sink"/> once per occurrence with the pattern and the index just past its last
    /// char. Generic over the sink so the call is devirtualised and nothing is allocated.
    /// </summary>
    public void Match<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, IMatchSink
    {
        var state = Root;
        var rootNext = _rootNext;
        var output = _output;
        var outputLink = _outputLink;
        var firstHit = _firstHit;
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
                var next = Child(state, c);
                if (next > 0)
                {
                    state = next;
                    break;
                }
                state = _fail[state];
            }
            var hit = firstHit[state];
            while (hit > 0)
            {
                sink.OnMatch(output[hit], i + 1);
                hit = outputLink[hit];
            }
        }
    }

    // Transition from the root never fails (it stays at the root); from any other state -1 means "follow the failure link".
    private int Next(int state, char c) => state == Root ? _rootNext[c] : Child(state, c) is var n && n > 0 ? n : -1;

    private static ulong EdgeKey(int state, char c) => ((ulong)(uint)state << 16) | c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Child(int state, char c)
    {
        if ((_childMask[state] & (1UL << (c & 63))) == 0)
        {
            return 0;
        }
        var key = EdgeKey(state, c);
        var keys = _edgeKeys;
        var slot = (int)((key * 0x9E3779B97F4A7C15UL) >> _edgeShift);
        while (true)
        {
            var k = keys[slot];
            if (k == key)
            {
                return _edgeTargets[slot];
            }
            if (k == 0)
            {
                return 0;
            }
            slot = (slot + 1) & (keys.Length - 1);
        }
    }
}
