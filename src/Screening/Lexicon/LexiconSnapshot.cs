using Cluster.Screening.Detectors;
using Cluster.Screening.Matching;
using Cluster.Screening.Normalization;

namespace Cluster.Screening.Lexicon;

/// <summary>
/// All active lexicons compiled into one automaton. Immutable: a reload builds a new snapshot and swaps it
/// in (<see cref="ScreeningEngine.Swap"/>), so screening never sees a half-built one.
/// </summary>
/// <remarks>
/// Terms are normalized exactly like screened text (<see cref="TextNormalizer"/>, then <see cref="MatchView"/>), so a term written in full-width or upper case matches
/// its plain forms. Several entries may share a normalized term (the same word in two lexicons, or under
/// two categories); the automaton holds each distinct term once and points at all its entries.
/// </remarks>
public sealed class LexiconSnapshot
{
    private readonly CompiledEntry[] _entries;
    private readonly string[] _sourceNames;

    // Everything a hit needs about its pattern in one 8-byte record, so that processing a hit costs one cache
    // line rather than one per array; one extra record at the end closes the last pattern's entry range.
    private readonly PatternInfo[] _patterns;
    private readonly TermTable _domains;
    private readonly CompiledEntry[] _domainEntries;
    private readonly int[] _domainStarts; // domain d's entries are _domainEntries[_domainStarts[d].._domainStarts[d + 1]]

    private LexiconSnapshot(IReadOnlyList<LexiconSource> sources)
    {
        Sources = sources;
        var expectedEntries = 0;
        var expectedChars = 0;
        foreach (var source in sources)
        {
            expectedEntries += source.Entries.Count;
            foreach (var entry in source.Entries)
            {
                expectedChars += entry.Term.Length;
            }
        }

        // Entries are collected with the id of their term, then grouped by term with a stable counting sort:
        // no per-term object is allocated (see TermTable for why that matters to a reload).
        var terms = new TermTable(expectedEntries, expectedChars);
        // Scratch in native memory, like the automaton's (see NativeBuffer for why).
        using var collectedBuffer = new NativeBuffer<CompiledEntry>(expectedEntries);
        using var collectedTermBuffer = new NativeBuffer<int>(expectedEntries);
        var collected = collectedBuffer.Span;
        var collectedTerm = collectedTermBuffer.Span;
        var collectedCount = 0;
        var termCount = 0;
        // Domain entries go through a term table of their own, grouped the same way.
        var domains = new TermTable(16, 16);
        var domainCollected = new List<(int Domain, CompiledEntry Entry)>();
        var normalized = new NormalizedText();
        var view = new NormalizedText();
        _sourceNames = new string[sources.Count];
        for (var sourceIndex = 0; sourceIndex < sources.Count; sourceIndex++)
        {
            var source = sources[sourceIndex];
            _sourceNames[sourceIndex] = source.FindingSource;
            foreach (var entry in source.Entries)
            {
                var compiled = new CompiledEntry(entry.Category, entry.Weight, entry.Allow, sourceIndex);
                TextNormalizer.Normalize(entry.Term, normalized);
                if (IsDomain(normalized.Chars))
                {
                    // Domains are looked up by the URL detector, which sees through obfuscated dots (点com, [.]),
                    // rather than matched as substrings.
                    domainCollected.Add((domains.Intern(normalized.Chars), compiled));
                    termCount++;
                    continue;
                }
                MatchView.Build(normalized, view);
                if (view.Length == 0 || (view.Length == 1 && normalized.Length > 1))
                {
                    // Only invisible characters, or a term like 妈妈 that the view collapses to one char and
                    // that would then fire on every 妈: neither can be matched meaningfully.
                    SkippedTerms++;
                    continue;
                }
                collected[collectedCount] = compiled;
                collectedTerm[collectedCount++] = terms.Intern(view.Chars);
                termCount++;
            }
        }

        TermCount = termCount;
        Automaton = new AhoCorasick(terms.Chars, terms.Offsets);
        var patternCount = terms.Count;
        (_entries, var starts) = GroupByTerm(collected[..collectedCount], collectedTerm[..collectedCount], patternCount);
        using var flagsBuffer = new NativeBuffer<PatternFlags>(patternCount);
        var flags = flagsBuffer.Span;
        for (var e = 0; e < collectedCount; e++)
        {
            flags[collectedTerm[e]] |= collected[e].Allow ? PatternFlags.Allow : 0;
        }
        _patterns = LargeArray.Zeroed<PatternInfo>(patternCount + 1);
        for (var p = 0; p < patternCount; p++)
        {
            var term = terms[p];
            flags[p] |= (char.IsAsciiLetterOrDigit(term[0]) ? PatternFlags.BoundaryStart : 0)
                | (char.IsAsciiLetterOrDigit(term[^1]) ? PatternFlags.BoundaryEnd : 0);
            _patterns[p] = new PatternInfo(starts[p], checked((ushort)term.Length), flags[p]);
        }
        _patterns[patternCount] = new PatternInfo(collectedCount, 0, 0);
        _domains = domains;
        (_domainEntries, _domainStarts) = GroupByTerm(
            [.. domainCollected.Select(d => d.Entry)], [.. domainCollected.Select(d => d.Domain)], domains.Count);
    }

    /// <summary>
    /// Entries grouped by term id with a stable counting sort: term t's entries end up at
    /// [starts[t], starts[t + 1]) in their original order.
    /// </summary>
    private static (CompiledEntry[] Entries, int[] Starts) GroupByTerm(ReadOnlySpan<CompiledEntry> collected, ReadOnlySpan<int> termOf, int termCount)
    {
        var starts = LargeArray.Zeroed<int>(termCount + 1);
        foreach (var term in termOf)
        {
            starts[term + 1]++;
        }
        for (var t = 0; t < termCount; t++)
        {
            starts[t + 1] += starts[t];
        }
        var entries = LargeArray.Zeroed<CompiledEntry>(collected.Length);
        using var fillBuffer = new NativeBuffer<int>(termCount);
        var fill = fillBuffer.Span;
        starts.AsSpan(0, termCount).CopyTo(fill);
        for (var e = 0; e < collected.Length; e++)
        {
            entries[fill[termOf[e]]++] = collected[e];
        }
        return (entries, starts);
    }

    public static LexiconSnapshot Empty { get; } = new([]);

    /// <summary>Entries compiled in, allow entries included, duplicates counted once per source line.</summary>
    public int TermCount { get; }

    public IReadOnlyList<LexiconSource> Sources { get; }

    /// <summary>Entries left out because they normalize to nothing matchable.</summary>
    public int SkippedTerms { get; }

    internal AhoCorasick Automaton { get; }

    public static LexiconSnapshot Build(IEnumerable<LexiconSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return new LexiconSnapshot([.. sources]);
    }

    /// <summary>Domain entries (blocklist and allow-list), for the URL detector.</summary>
    public int DomainCount => _domains.Count;

    /// <summary>Length, flags and entry range of each automaton pattern, indexed by pattern id.</summary>
    internal ReadOnlySpan<PatternInfo> Patterns => _patterns;

    /// <summary>
    /// The entries listing <paramref name="domain"/> or the nearest parent domain that is listed; empty when
    /// none is. An allow entry on the domain or a nearer parent wins over a deny entry further up.
    /// </summary>
    internal ReadOnlySpan<CompiledEntry> DomainEntries(string domain)
    {
        if (_domains.Count == 0)
        {
            return [];
        }
        // The domain, then each parent that still has a dot (a.b.example.com → b.example.com → example.com).
        ReadOnlySpan<char> candidate = domain;
        while (true)
        {
            var id = _domains.Find(candidate);
            if (id >= 0)
            {
                return _domainEntries.AsSpan(_domainStarts[id], _domainStarts[id + 1] - _domainStarts[id]);
            }
            var dot = candidate.IndexOf('.');
            if (dot < 0 || candidate[(dot + 1)..].IndexOf('.') < 0)
            {
                return [];
            }
            candidate = candidate[(dot + 1)..];
        }
    }

    private static bool IsDomain(ReadOnlySpan<char> term)
    {
        if (term.ContainsAnyExcept(DomainChars) || term.IndexOf('.') <= 0 || term[^1] == '.')
        {
            return false;
        }
        return DomainName.IsTld(term[(term.LastIndexOf('.') + 1)..]);
    }

    private static readonly System.Buffers.SearchValues<char> DomainChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-_");

    internal ReadOnlySpan<CompiledEntry> EntriesOf(int pattern) =>
        _entries.AsSpan(_patterns[pattern].EntryStart, _patterns[pattern + 1].EntryStart - _patterns[pattern].EntryStart);

    /// <summary>The finding source ("lexicon:name@version") of an entry.</summary>
    internal string SourceOf(in CompiledEntry entry) => _sourceNames[entry.SourceIndex];

    /// <summary>
    /// One entry as the screener needs it. The source is an index into the snapshot's source names rather than
    /// a string, so the entry table holds no references: a build running beside screening threads then leaves
    /// their gen0 collections no cards to scan across a multi-megabyte array.
    /// </summary>
    internal readonly record struct CompiledEntry(Category Category, double Weight, bool Allow, int SourceIndex);
}
