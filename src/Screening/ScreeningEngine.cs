using Cluster.Screening.Lexicon;

namespace Cluster.Screening;

/// <summary>
/// Holds the current <see cref="Screener"/>. A lexicon reload compiles a new snapshot off the hot path and
/// swaps it in with one reference write: screening in flight finishes on the old snapshot, the next call
/// sees the new one, and nothing ever waits for a build.
/// </summary>
public sealed class ScreeningEngine
{
    private Screener _current;

    public ScreeningEngine(LexiconSnapshot initial, MatchMode mode = MatchMode.Overlapping)
    {
        Mode = mode;
        _current = new Screener(initial, mode);
    }

    public MatchMode Mode { get; }

    public Screener Current => Volatile.Read(ref _current);

    public void Swap(LexiconSnapshot next) => Volatile.Write(ref _current, new Screener(next, Mode));
}
