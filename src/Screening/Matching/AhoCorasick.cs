using System.Runtime.CompilerServices;

namespace Cluster.Screening.Matching;

/// <summary>
/// Aho–Corasick automaton over UTF-16 chars reporting every occurrence of every pattern, overlapping ones
/// included. Immutable after construction and safe to share between threads.
/// </summary>
/// <remarks>
/// Layout: the root's transitions are a dense 65,536-entry table, because screening text is benign almost
/// everywhere and the automaton is back at the root on most chars; every other state keeps its edges sorted
/// in one flat array (CSR), searched linearly when short and by bisection when long. Failure links and
/// dictionary-suffix links make output enumeration proportional to the number of matches.
/// </remarks>
internal sealed class AhoCorasick
{
    private const int Root = 0;
    private const int LinearSearchMax = 8;

    private readonly int[] _rootNext;
    private readonly int[] _edgeStart;
    private readonly char[] _edgeChar;
    private readonly int[] _edgeTarget;
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
        StateCount = count;
        _output = [.. output];

        // Flatten edges into CSR order, sorted by char within each state.
        _edgeStart = new int[count + 1];
        for (var v = 1; v < count; v++)
        {
            _edgeStart[parent[v] + 1]++;
        }
        for (var s = 0; s < count; s++)
        {
            _edgeStart[s + 1] += _edgeStart[s];
        }
        _edgeChar = new char[count - 1];
        _edgeTarget = new int[count - 1];
        var fill = _edgeStart[..^1];
        for (var v = 1; v < count; v++)
        {
            var slot = fill[parent[v]]++;
            _edgeChar[slot] = label[v];
            _edgeTarget[slot] = v;
        }
        for (var s = 0; s < count; s++)
        {
            Array.Sort(_edgeChar, _edgeTarget, _edgeStart[s], _edgeStart[s + 1] - _edgeStart[s]);
        }

        // A 64-bit filter of each state's child chars (bit c mod 64): most transitions tried while following
        // failure links do not exist, and the filter rejects them with one load instead of an edge search.
        _childMask = new ulong[count];
        for (var e = 0; e < _edgeChar.Length; e++)
        {
            _childMask[parent[_edgeTarget[e]]] |= 1UL << (_edgeChar[e] & 63);
        }

        _rootNext = new int[65536];
        for (var e = _edgeStart[Root]; e < _edgeStart[Root + 1]; e++)
        {
            _rootNext[_edgeChar[e]] = _edgeTarget[e];
        }

        // Breadth-first: a state's failure target is shallower, so it is final before the state needs it.
        _fail = new int[count];
        _outputLink = new int[count];
        var queue = new Queue<int>();
        for (var e = _edgeStart[Root]; e < _edgeStart[Root + 1]; e++)
        {
            queue.Enqueue(_edgeTarget[e]);
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
            for (var e = _edgeStart[v]; e < _edgeStart[v + 1]; e++)
            {
                queue.Enqueue(_edgeTarget[e]);
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

    public int StateCount { get; }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Child(int state, char c)
    {
        if ((_childMask[state] & (1UL << (c & 63))) == 0)
        {
            return 0;
        }
        var lo = _edgeStart[state];
        var hi = _edgeStart[state + 1];
        if (hi - lo <= LinearSearchMax)
        {
            for (var e = lo; e < hi; e++)
            {
                if (_edgeChar[e] == c)
                {
                    return _edgeTarget[e];
                }
            }
            return 0;
        }
        hi--;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = _edgeChar[mid];
            if (m == c)
            {
                return _edgeTarget[mid];
            }
            if (m < c)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return 0;
    }
}
