using Cluster.Screening.Classifiers;
using Cluster.Screening.Detectors;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Matching;
using Cluster.Screening.NearDuplicates;
using Cluster.Screening.Normalization;

namespace Cluster.Screening;

/// <summary>
/// Stage 1 over one set of snapshots: normalize → match view (junk, repeats, annotations) → lexicon automaton
/// (allow entries override the deny terms they contain) → detectors (numbers, domains, e-mails, contact
/// handles) → abuse classifier → near-duplicates (rumors, floods) → findings with spans in original-text
/// offsets. Thread-safe; the scratch buffers are per thread. docs/architecture.md lists each stage.
/// </summary>
public sealed class Screener
{
    /// <summary>Cap on lexicon findings per text, so a post stuffed with terms cannot bloat its evidence.</summary>
    public const int MaxLexiconFindings = 32;

    public const string LookAlikeSource = "detector:look-alike-domain";

    public const string FloodSource = "detector:flood";

    /// <summary>A repeat of a known rumor blocks under the default policy (0.8); a platform that prefers to
    /// label raises its rumor block threshold and shows the debunk notice instead.</summary>
    public const double RumorWeight = 0.8;

    /// <summary>Coordinated copies go to review, not straight to block: a viral quote is also copied.</summary>
    public const double FloodWeight = 0.5;

    /// <summary>Short posts ("好", "顶") repeat innocently; only texts this long count towards a flood.</summary>
    public const int MinFloodLength = 16;

    private const double LookAlikeWeight = 0.8;

    private const int MaxEvidenceChars = 64;

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly TextClassifier? _abuse;

    public Screener(
        LexiconSnapshot lexicon, MatchMode mode = MatchMode.Overlapping, RumorLibrary? rumors = null, FloodDetector? flood = null,
        double? abuseThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        AbuseThreshold = abuseThreshold;
        _abuse = abuseThreshold is null ? null : AbuseModel.Default;
        Lexicon = lexicon;
        Mode = mode;
        Rumors = rumors ?? RumorLibrary.Empty;
        Flood = flood;
    }

    public LexiconSnapshot Lexicon { get; }

    public MatchMode Mode { get; }

    public RumorLibrary Rumors { get; }

    /// <summary>Score at which the shipped abuse classifier (<see cref="AbuseModel"/>) flags a text; null when it is off.</summary>
    public double? AbuseThreshold { get; }

    /// <summary>Recent-post fingerprints shared by every screener of an engine; null when flood detection is off.</summary>
    public FloodDetector? Flood { get; }

    public ScreeningResult Screen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scratch = t_scratch ??= new Scratch();
        var normalized = scratch.Text;
        TextNormalizer.Normalize(text, normalized);
        var view = scratch.View;
        MatchView.Build(normalized, view);

        var hits = new HitCollector(scratch, Lexicon.Patterns, view.Chars);
        Lexicon.Automaton.Match(view.Chars, ref hits);

        List<Finding>? findings = null;
        if (scratch.HitCount > 0)
        {
            findings = new List<Finding>(Math.Min(scratch.HitCount, MaxLexiconFindings) + 2);
            AddLexiconFindings(text, view, scratch, findings);
        }
        var termFindings = findings?.Count ?? 0;
        if (normalized.Chars.ContainsAnyInRange('0', '9'))
        {
            findings ??= [];
            NumberDetector.Scan(normalized, findings);
        }
        if (normalized.Chars.ContainsAnyInRange('a', 'z'))
        {
            var domains = DomainScanner.Scan(normalized);
            if (domains is not null)
            {
                findings ??= [];
                AddDomainFindings(text, domains, normalized, findings, termFindings);
                EmailDetector.Scan(normalized, domains, findings);
            }
        }
        if (view.Chars.ContainsAny(ContactHandleDetector.CueStarts))
        {
            findings ??= [];
            ContactHandleDetector.Scan(view, findings);
        }

        if (_abuse is not null && HasContent(view.Chars, AbuseModel.MinContent)
            && _abuse.Score(view.Chars) is var abuse && abuse >= AbuseThreshold)
        {
            findings ??= [];
            findings.Add(new Finding(Category.Abuse, AbuseModel.Weight, 0, text.Length,
                abuse.ToString("'p='0.00", System.Globalization.CultureInfo.InvariantCulture), AbuseModel.Source));
        }

        // Near-duplicates: one fingerprint of the match view serves the rumor library and the flood window.
        Rumor? rumor = null;
        if (view.Length >= RumorLibrary.MinLength && (Rumors.Count > 0 || (Flood is not null && view.Length >= MinFloodLength)))
        {
            // Sentence fingerprints only matter to the rumor library; the flood window uses the whole text's.
            Span<ulong> sentences = Rumors.Count > 0 ? stackalloc ulong[SimHash.MaxSentences] : [];
            var fingerprint = SimHash.ComputeWithSentences(view.Chars, sentences, out var sentenceCount);
            rumor = Rumors.Count > 0 ? Rumors.Match(view.Length, fingerprint, sentences[..sentenceCount], out _) : null;
            if (rumor is not null)
            {
                findings ??= [];
                findings.Add(new Finding(Category.Rumor, RumorWeight, 0, text.Length, rumor.Title, "rumor:" + rumor.Id));
            }
            if (Flood is not null && view.Length >= MinFloodLength && Flood.Observe(fingerprint) is var copies && Flood.IsFlood(copies))
            {
                findings ??= [];
                findings.Add(new Finding(Category.Spam, FloodWeight, 0, text.Length, $"{copies} near-duplicates within {Flood.Window.TotalMinutes:0} min", FloodSource));
            }
        }
        if (findings is null || findings.Count == 0)
        {
            return ScreeningResult.Empty;
        }
        return new ScreeningResult(findings) { Rumor = rumor };
    }

    private void AddLexiconFindings(string text, NormalizedText view, Scratch scratch, List<Finding> findings)
    {
        var deny = scratch.Hits.AsSpan(0, scratch.HitCount);
        if (scratch.AllowCount > 0)
        {
            // A deny hit lying entirely inside an allow occurrence is not a hit. The allow may end after the
            // deny hits inside it were reported, so this waits until the whole text is matched.
            var allows = scratch.Allows.AsSpan(0, scratch.AllowCount);
            var kept = 0;
            foreach (var hit in deny)
            {
                if (!Inside(allows, hit))
                {
                    deny[kept++] = hit;
                }
            }
            deny = deny[..kept];
        }
        if (Mode == MatchMode.Longest)
        {
            deny = LeftmostLongest(deny);
        }
        else if (deny.Length > 1)
        {
            MarkNested(deny);
        }

        // One finding per distinct term and category (repeating a word does not multiply its weight), none for a
        // category the hit is nested in. At most MaxLexiconFindings are kept, so the (term, category) keys seen
        // so far fit a short list on the stack.
        Span<int> seen = stackalloc int[MaxLexiconFindings];
        var seenCount = 0;
        foreach (var hit in deny)
        {
            var entries = Lexicon.EntriesOf(hit.Pattern);
            string? evidence = null;
            for (var e = 0; e < entries.Length; e++)
            {
                var entry = entries[e];
                var category = (int)entry.Category;
                var key = (hit.Pattern * Categories.Count) + category;
                if ((hit.NestedIn & (1u << category)) != 0 || !IsBestOfCategory(entries, e) || seen[..seenCount].Contains(key))
                {
                    continue;
                }
                if (seenCount == MaxLexiconFindings)
                {
                    return;
                }
                seen[seenCount++] = key;
                var originalStart = view.OriginalStart(hit.Start);
                var originalEnd = view.OriginalEnd(hit.End - 1);
                evidence ??= text.Substring(originalStart, Math.Min(originalEnd - originalStart, MaxEvidenceChars));
                findings.Add(new Finding(entry.Category, entry.Weight, originalStart, originalEnd, evidence, Lexicon.SourceOf(entry)));
            }
        }
    }

    /// <summary>
    /// Sets <see cref="Hit.NestedIn"/> to the categories of the hits that contain each hit: one stretch of text is
    /// one piece of evidence, so 中国共产党 scores once, not again for the 共产党 and 产党 inside it. Relies on the
    /// automaton's order: ends ascending, and at one end the longest first (a state's own pattern, then its output
    /// chain). Going through the ends from the last while keeping each end's hits longest first visits every hit
    /// after all hits that contain it (they end at or after it and start at or before it), so the smallest start
    /// seen per category decides containment in one pass, without sorting.
    /// </summary>
    private void MarkNested(Span<Hit> hits)
    {
        Span<int> minStart = stackalloc int[Categories.Count];
        minStart.Fill(int.MaxValue);
        var groupEnd = hits.Length;
        while (groupEnd > 0)
        {
            var groupStart = groupEnd - 1;
            while (groupStart > 0 && hits[groupStart - 1].End == hits[groupEnd - 1].End)
            {
                groupStart--;
            }
            for (var i = groupStart; i < groupEnd; i++)
            {
                ref var hit = ref hits[i];
                var entries = Lexicon.EntriesOf(hit.Pattern);
                var nested = 0u;
                foreach (var entry in entries)
                {
                    nested |= minStart[(int)entry.Category] <= hit.Start ? 1u << (int)entry.Category : 0;
                }
                hit.NestedIn = nested;
                foreach (var entry in entries)
                {
                    ref var min = ref minStart[(int)entry.Category];
                    min = Math.Min(min, hit.Start);
                }
            }
            groupEnd = groupStart;
        }
    }

    /// <summary>
    /// Whether entry <paramref name="index"/> is the one to report for its category when one term has several
    /// (the same term in two lexicons): the highest weight, and on equal weights the first in snapshot order
    /// (sources in the order the snapshot was built: starter, default, then uploads), so a repeated line neither
    /// adds evidence nor makes the reported source depend on anything but the build order.
    /// </summary>
    private static bool IsBestOfCategory(ReadOnlySpan<LexiconSnapshot.CompiledEntry> entries, int index)
    {
        var candidate = entries[index];
        for (var j = 0; j < entries.Length; j++)
        {
            if (j != index && entries[j].Category == candidate.Category
                && (entries[j].Weight > candidate.Weight || (entries[j].Weight == candidate.Weight && j < index)))
            {
                return false;
            }
        }
        return true;
    }

    /// <param name="termFindings">How many findings at the start of <paramref name="findings"/> are lexicon term hits.</param>
    private void AddDomainFindings(
        string text, List<DomainScanner.Candidate> domains, NormalizedText normalized, List<Finding> findings, int termFindings)
    {
        foreach (var candidate in domains)
        {
            var start = normalized.OriginalStart(candidate.Start);
            var end = normalized.OriginalEnd(candidate.End - 1);
            var entries = Lexicon.DomainEntries(candidate.Domain);
            var allowed = false;
            foreach (var entry in entries)
            {
                allowed |= entry.Allow;
            }
            if (allowed)
            {
                continue;
            }
            for (var e = 0; e < entries.Length; e++)
            {
                var entry = entries[e];
                if (!IsBestOfCategory(entries, e))
                {
                    continue;
                }
                // A listed domain and a term of its category inside it (sex in sex.example) are one stretch of text:
                // the domain, the longer, is the evidence.
                termFindings -= RemoveInside(findings, termFindings, entry.Category, start, end);
                findings.Add(new Finding(entry.Category, entry.Weight, start, end, candidate.Domain, Lexicon.SourceOf(entry)));
            }
            if (!entries.IsEmpty)
            {
                continue;
            }
            // A homograph (Cyrillic а in аlipay.com) normalizes to the real name, so it is caught on the original text.
            var imitated = LookAlikeDomains.IsHomograph(text.AsSpan(start, end - start))
                ? LookAlikeDomains.ProtectedOrParent(candidate.Domain)
                : LookAlikeDomains.Imitated(candidate.Domain);
            if (imitated is not null)
            {
                findings.Add(new Finding(Category.Phishing, LookAlikeWeight, start, end, $"{candidate.Domain} ~ {imitated}", LookAlikeSource));
            }
        }
    }

    /// <summary>Removes the first <paramref name="count"/> findings of <paramref name="category"/> that lie within [start, end); returns how many.</summary>
    private static int RemoveInside(List<Finding> findings, int count, Category category, int start, int end)
    {
        var removed = 0;
        for (var i = count - 1; i >= 0; i--)
        {
            var f = findings[i];
            if (f.Category == category && start <= f.Start && f.End <= end)
            {
                findings.RemoveAt(i);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Sorts by start, longest first, and keeps each hit that begins after the last kept one ended.</summary>
    private static Span<Hit> LeftmostLongest(Span<Hit> hits)
    {
        hits.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var kept = 0;
        var coveredTo = -1;
        foreach (var hit in hits)
        {
            if (hit.Start >= coveredTo)
            {
                hits[kept++] = hit;
                coveredTo = hit.End;
            }
        }
        return hits[..kept];
    }

    /// <summary>Whether <paramref name="chars"/> has at least <paramref name="min"/> letters or digits; stops there.</summary>
    private static bool HasContent(ReadOnlySpan<char> chars, int min)
    {
        foreach (var c in chars)
        {
            if (char.IsLetterOrDigit(c) && --min <= 0)
            {
                return true;
            }
        }
        return min <= 0;
    }

    private static bool Inside(ReadOnlySpan<Hit> allows, Hit hit)
    {
        foreach (var allow in allows)
        {
            if (allow.Start <= hit.Start && hit.End <= allow.End)
            {
                return true;
            }
        }
        return false;
    }

    internal struct Hit
    {
        public int Pattern;
        public int Start;
        public int End;

        /// <summary>Bit per <see cref="Category"/> (14 of them, so a uint holds all): a longer hit of that category contains this one.</summary>
        public uint NestedIn;
    }

    private sealed class Scratch
    {
        public readonly NormalizedText Text = new();
        public readonly NormalizedText View = new();
        public Hit[] Hits = new Hit[64];
        public int HitCount;
        public Hit[] Allows = new Hit[8];
        public int AllowCount;
    }

    /// <summary>
    /// Takes each automaton match straight to a hit with its start, dropping Latin terms not on a word
    /// boundary and setting allow occurrences aside, so the hits are read once.
    /// </summary>
    private ref struct HitCollector : IMatchSink
    {
        private readonly Scratch _scratch;
        private readonly ReadOnlySpan<PatternInfo> _patterns;
        private readonly ReadOnlySpan<char> _view;

        public HitCollector(Scratch scratch, ReadOnlySpan<PatternInfo> patterns, ReadOnlySpan<char> view)
        {
            _scratch = scratch;
            _patterns = patterns;
            _view = view;
            scratch.HitCount = 0;
            scratch.AllowCount = 0;
        }

        public readonly void OnMatch(int pattern, int end)
        {
            var info = _patterns[pattern];
            var hit = new Hit { Pattern = pattern, Start = end - info.Length, End = end };
            var s = _scratch;
            if (info.Flags != 0)
            {
                if ((info.Flags & PatternFlags.Allow) != 0)
                {
                    Append(ref s.Allows, ref s.AllowCount, hit);
                    return;
                }
                if (((info.Flags & PatternFlags.BoundaryStart) != 0 && hit.Start > 0 && char.IsAsciiLetterOrDigit(_view[hit.Start - 1]))
                    || ((info.Flags & PatternFlags.BoundaryEnd) != 0 && end < _view.Length && char.IsAsciiLetterOrDigit(_view[end])))
                {
                    return;
                }
            }
            Append(ref s.Hits, ref s.HitCount, hit);
        }

        private static void Append(ref Hit[] buffer, ref int count, Hit hit)
        {
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            buffer[count++] = hit;
        }
    }
}
