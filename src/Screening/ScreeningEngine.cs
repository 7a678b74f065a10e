using Cluster.Screening.Lexicon;
using Cluster.Screening.NearDuplicates;

namespace Cluster.Screening;

/// <summary>
/// Holds the current <see cref="Screener"/>. A lexicon or rumor-library reload compiles a new snapshot off the
/// hot path and swaps it in with one reference write: screening in flight finishes on the old snapshot, the
/// next call sees the new one, and nothing ever waits for a build. The flood window is shared across swaps.
/// </summary>
public sealed class ScreeningEngine
{
    private readonly Lock _swapLock = new();
    private Screener _current;

    public ScreeningEngine(LexiconSnapshot initial, MatchMode mode = MatchMode.Overlapping, FloodDetector? flood = null, double? abuseThreshold = null)
    {
        _current = new Screener(initial, mode, RumorLibrary.Empty, flood, abuseThreshold);
    }

    public Screener Current => Volatile.Read(ref _current);

    public void Swap(LexiconSnapshot next)
    {
        lock (_swapLock)
        {
            var current = _current;
            Volatile.Write(ref _current, new Screener(next, current.Mode, current.Rumors, current.Flood, current.AbuseThreshold));
        }
    }

    public void Swap(RumorLibrary next)
    {
        lock (_swapLock)
        {
            var current = _current;
            Volatile.Write(ref _current, new Screener(current.Lexicon, current.Mode, next, current.Flood, current.AbuseThreshold));
        }
    }

    /// <summary>The normalizer rumor claims must go through so they hash like screened posts.</summary>
    public static string MatchForm(string text) => Normalization.MatchView.Build(text);
}
