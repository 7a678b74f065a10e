using System.Collections.Concurrent;
using Cluster.Grains.Decisions;

namespace Cluster.Grains.Platforms;

/// <summary>
/// Per-silo pre-aggregation of decisions by platform: AccountGrains add to it in memory (no grain call per post), and
/// <see cref="PlatformAggregateFlusher"/> sends what accumulated to each platform's PlatformGrain once a second. The
/// aggregates are statistics, not facts: the counts of the last second before a crash are lost (the decisions
/// themselves are durable in the decisions table).
/// </summary>
public sealed class PlatformAggregator
{
    private ConcurrentDictionary<string, Counts> _pending = new(StringComparer.Ordinal);

    public void Add(DecisionRecord decision)
    {
        // A Counts taken by Take is sealed; an Add that raced with it goes into the next interval's.
        while (!Volatile.Read(ref _pending).GetOrAdd(decision.Platform, static _ => new Counts()).TryAdd(ActionKey(decision), decision.Labels))
        {
        }
    }

    /// <summary>"source:action", without building the string for the six pairs every decision has.</summary>
    private static string ActionKey(DecisionRecord decision) => (decision.Source, decision.Action) switch
    {
        (DecisionActions.Machine, DecisionActions.Allow) => "machine:allow",
        (DecisionActions.Machine, DecisionActions.Review) => "machine:review",
        (DecisionActions.Machine, DecisionActions.Block) => "machine:block",
        (DecisionActions.Human, DecisionActions.Allow) => "human:allow",
        (DecisionActions.Human, DecisionActions.Review) => "human:review",
        (DecisionActions.Human, DecisionActions.Block) => "human:block",
        _ => decision.Source + ":" + decision.Action,
    };

    /// <summary>Takes what accumulated since the last call.</summary>
    internal IReadOnlyList<(string Platform, PlatformDelta Delta)> Take()
    {
        var taken = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, Counts>(StringComparer.Ordinal));
        return taken.Select(kv => (kv.Key, kv.Value.ToDelta())).ToList();
    }

    private sealed class Counts
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _actions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _categories = new(StringComparer.Ordinal);

        private bool _sealed;

        public bool TryAdd(string action, IReadOnlyList<DecisionLabel> labels)
        {
            lock (_lock)
            {
                if (_sealed)
                {
                    return false;
                }
                _actions[action] = _actions.GetValueOrDefault(action) + 1;
                foreach (var label in labels)
                {
                    _categories[label.Category] = _categories.GetValueOrDefault(label.Category) + 1;
                }
                return true;
            }
        }

        public PlatformDelta ToDelta()
        {
            lock (_lock)
            {
                _sealed = true;
                return new PlatformDelta(new Dictionary<string, long>(_actions), new Dictionary<string, long>(_categories));
            }
        }
    }
}
