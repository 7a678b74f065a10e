namespace Cluster.Screening.Lexicon;

/// <summary>What the screener needs about one automaton pattern: its length in match-view chars, its
/// <see cref="PatternFlags"/>, and where its entries start in the snapshot's entry table.</summary>
internal readonly record struct PatternInfo(int EntryStart, ushort Length, PatternFlags Flags);

[Flags]
internal enum PatternFlags : byte
{
    /// <summary>
    /// The term starts with an ASCII letter or digit, so a hit counts only on a word boundary: "bt" must not
    /// fire inside "subtitle", nor "sm" inside "small", nor "110" inside "1108". CJK ends need no boundary
    /// (Chinese has no spaces); ambiguity there is the allow-list's job.
    /// </summary>
    BoundaryStart = 1,

    /// <summary>The term ends with an ASCII letter or digit (see <see cref="BoundaryStart"/>).</summary>
    BoundaryEnd = 2,

    /// <summary>Some entry of the term is an allow entry: its occurrences cancel the deny hits inside them.</summary>
    Allow = 4,
}
