using Cluster.Screening.Detectors;
using Cluster.Screening.Lexicon;
using Cluster.Screening.Matching;
using Cluster.Screening.Normalization;

namespace Cluster.Screening;

/// <summary>
/// Stage 1 over one lexicon snapshot: normalize → lexicon automaton (allow entries override the deny terms
/// they contain) → number detectors → findings with spans in original-text offsets. Thread-safe; the
/// scratch buffers are per thread.
/// </summary>
public sealed class Screener
{
    /// <summary>Cap on lexicon findings per text, so a post stuffed with terms cannot bloat its evidence.</summary>
    public const int MaxLexiconFindings = 32;

    private const int MaxEvidenceChars = 64;

    [ThreadStatic]
    private static Scratch? t_scratch;

    public Screener(LexiconSnapshot lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        Lexicon = lexicon;
    }

    public LexiconSnapshot Lexicon { get; }

    public ScreeningResult Screen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scratch = t_scratch ??= new Scratch();
        var normalized = scratch.Text;
        TextNormalizer.Normalize(text, normalized);

        var hits = new HitCollector(scratch);
        Lexicon.Automaton.Match(normalized.Chars, ref hits);

        List<Finding>? findings = null;
        if (scratch.HitCount > 0)
        {
            findings = [];
            AddLexiconFindings(text, normalized, scratch, findings);
        }
        if (normalized.Chars.ContainsAnyInRange('0', '9'))
        {
            findings ??= [];
            NumberDetector.Scan(normalized, findings);
        }
        return findings is null || findings.Count == 0 ? ScreeningResult.Empty : new ScreeningResult(findings);
    }

    private void AddLexiconFindings(string text, NormalizedText normalized, Scratch scratch, List<Finding> findings)
    {
        var automaton = Lexicon.Automaton;
        var hitsSpan = scratch.Hits.AsSpan(0, scratch.HitCount);

        // Allow spans first: a deny hit lying entirely inside an allow occurrence is not a hit.
        var allowCount = 0;
        foreach (ref var hit in hitsSpan)
        {
            if (Lexicon.IsAllow(hit.Pattern))
            {
                hit.Start = hit.End - automaton.PatternLength(hit.Pattern);
                allowCount++;
            }
        }

        var seen = scratch.SeenPatterns;
        seen.Clear();
        var lexiconFindings = 0;
        foreach (var hit in hitsSpan)
        {
            var pattern = hit.Pattern;
            if (Lexicon.IsAllow(pattern) || !seen.Add(pattern))
            {
                continue; // one finding per distinct term: repeating a word does not multiply its weight
            }
            var start = hit.End - automaton.PatternLength(pattern);
            if (allowCount > 0 && InsideAllow(hitsSpan, start, hit.End))
            {
                seen.Remove(pattern); // a later occurrence outside the allow term still counts
                continue;
            }
            var originalStart = normalized.OriginalStart(start);
            var originalEnd = normalized.OriginalEnd(hit.End - 1);
            var evidence = text.Substring(originalStart, Math.Min(originalEnd - originalStart, MaxEvidenceChars));
            foreach (var entry in Lexicon.EntriesOf(pattern))
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
        public readonly HashSet<int> SeenPatterns = [];
        public Hit[] Hits = new Hit[64];
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
            }
            s.Hits[s.HitCount++] = new Hit { Pattern = pattern, End = end };
        }
    }
}
