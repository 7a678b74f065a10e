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

        var hits = new HitCollector(scratch);
        Lexicon.Automaton.Match(view.Chars, ref hits);

        List<Finding>? findings = null;
        if (scratch.HitCount > 0)
        {
            findings = new List<Finding>(Math.Min(scratch.HitCount, MaxLexiconFindings) + 2);
            AddLexiconFindings(text, view, scratch, findings);
        }
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
                AddDomainFindings(text, domains, normalized, findings);
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
        var automaton = Lexicon.Automaton;
        var all = scratch.Hits.AsSpan(0, scratch.HitCount);
        foreach (ref var hit in all)
        {
            hit.Start = hit.End - automaton.PatternLength(hit.Pattern);
        }

        // Allow occurrences first: a deny hit lying entirely inside one is not a hit. Survivors are
        // compacted to the front of the buffer.
        var allowCount = 0;
        foreach (var hit in all)
        {
            allowCount += Lexicon.IsAllow(hit.Pattern) ? 1 : 0;
        }
        var kept = 0;
        for (var h = 0; h < all.Length; h++)
        {
            var hit = all[h];
            if (!Lexicon.IsAllow(hit.Pattern) && OnWordBoundary(view, hit) && (allowCount == 0 || !InsideAllow(all, hit.Start, hit.End)))
            {
                scratch.Deny[kept++] = hit;
            }
        }
        var deny = scratch.Deny.AsSpan(0, kept);
        if (Mode == MatchMode.Longest)
        {
            deny = LeftmostLongest(deny);
        }

        // "Seen" is a stamp per pattern rather than a set: with a dense lexicon a text has hundreds of hits,
        // and a stamp compare is one load where a hash-set insert is a hash, a probe and maybe a resize.
        var patterns = Lexicon.Automaton.PatternCount;
        if (scratch.SeenStamp.Length < patterns)
        {
            scratch.SeenStamp = new int[patterns];
        }
        var stamp = ++scratch.Generation;
        if (stamp == int.MaxValue)
        {
            Array.Clear(scratch.SeenStamp);
            scratch.Generation = stamp = 1;
        }
        var seen = scratch.SeenStamp;
        var lexiconFindings = 0;
        foreach (var hit in deny)
        {
            if (seen[hit.Pattern] == stamp)
            {
                continue; // one finding per distinct term: repeating a word does not multiply its weight
            }
            seen[hit.Pattern] = stamp;
            var originalStart = view.OriginalStart(hit.Start);
            var originalEnd = view.OriginalEnd(hit.End - 1);
            var evidence = text.Substring(originalStart, Math.Min(originalEnd - originalStart, MaxEvidenceChars));
            foreach (var entry in Lexicon.EntriesOf(hit.Pattern))
            {
                if (lexiconFindings == MaxLexiconFindings)
                {
                    return;
                }
                findings.Add(new Finding(entry.Category, entry.Weight, originalStart, originalEnd, evidence, entry.Source));
                lexiconFindings++;
            }
        }
    }

    private void AddDomainFindings(string text, List<DomainScanner.Candidate> domains, NormalizedText normalized, List<Finding> findings)
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
            foreach (var entry in entries)
            {
                findings.Add(new Finding(entry.Category, entry.Weight, start, end, candidate.Domain, entry.Source));
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

    private bool OnWordBoundary(NormalizedText view, Hit hit)
    {
        var boundary = Lexicon.BoundaryOf(hit.Pattern);
        return ((boundary & PatternBoundary.Start) == 0 || hit.Start == 0 || !char.IsAsciiLetterOrDigit(view[hit.Start - 1]))
            && ((boundary & PatternBoundary.End) == 0 || hit.End == view.Length || !char.IsAsciiLetterOrDigit(view[hit.End]));
    }

    private bool InsideAllow(ReadOnlySpan<Hit> hits, int start, int end)
    {
        foreach (var allow in hits)
        {
            if (Lexicon.IsAllow(allow.Pattern) && allow.Start <= start && end <= allow.End)
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
    }

    private sealed class Scratch
    {
        public readonly NormalizedText Text = new();
        public readonly NormalizedText View = new();
        public int[] SeenStamp = [];
        public int Generation;
        public Hit[] Hits = new Hit[64];
        public Hit[] Deny = new Hit[64];
        public int HitCount;
    }

    private struct HitCollector : IMatchSink
    {
        private readonly Scratch _scratch;

        public HitCollector(Scratch scratch)
        {
            _scratch = scratch;
            scratch.HitCount = 0;
        }

        public readonly void OnMatch(int pattern, int end)
        {
            var s = _scratch;
            if (s.HitCount == s.Hits.Length)
            {
                Array.Resize(ref s.Hits, s.Hits.Length * 2);
                Array.Resize(ref s.Deny, s.Hits.Length);
            }
            s.Hits[s.HitCount++] = new Hit { Pattern = pattern, End = end };
        }
    }
}
