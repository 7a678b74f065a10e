using System.Collections.Concurrent;
using Cluster.Grains.Decisions;

namespace Cluster.Silo.Decisions;

/// <summary>
/// Wakes long-polling feed readers when their platform gets a decision: stored by this silo (<see cref="IDecisionStore.Recorded"/>),
/// or in cluster mode by any silo (<see cref="Wake"/>, from PostgreSQL's notifications). A reader takes <see cref="Next"/>
/// BEFORE querying, so a decision committed between its query and its wait still wakes it.
/// </summary>
internal sealed class FeedSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    public FeedSignal(IDecisionStore store) => store.Recorded += OnRecorded;

    public Task Next(string platform) =>
        _next.GetOrAdd(platform, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes the readers waiting for <paramref name="platform"/>'s feed; they query again.</summary>
    public void Wake(string platform)
    {
        if (_next.TryRemove(platform, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>Wakes every waiting reader (decisions may have been stored while no notification could arrive).</summary>
    public void WakeAll()
    {
        foreach (var platform in _next.Keys)
        {
            Wake(platform);
        }
    }

    private void OnRecorded(IReadOnlyList<DecisionRecord> decisions)
    {
        foreach (var platform in decisions.Select(d => d.Platform).Distinct())
        {
            Wake(platform);
        }
    }
}
