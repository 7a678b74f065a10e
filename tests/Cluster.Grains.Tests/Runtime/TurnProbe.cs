using System.Collections.Concurrent;
using Cluster.Grains.Runtime;

namespace Cluster.Grains.Tests.Runtime;

/// <summary>Counts turns in flight per grain and remembers the most ever seen at once.</summary>
internal sealed class TurnProbe
{
    private readonly ConcurrentDictionary<GrainId, int> _inFlight = new();
    private int _maxPerGrain;
    private int _turns;

    public int MaxConcurrentTurnsPerGrain => Volatile.Read(ref _maxPerGrain);

    public int Turns => Volatile.Read(ref _turns);

    public void Enter(GrainId id)
    {
        Interlocked.Increment(ref _turns);
        var now = _inFlight.AddOrUpdate(id, 1, (_, n) => n + 1);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxPerGrain)) && Interlocked.CompareExchange(ref _maxPerGrain, now, seen) != seen)
        {
        }
    }

    public void Exit(GrainId id) => _inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
}
