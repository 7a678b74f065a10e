using System.Collections.Concurrent;
using Cluster.Grains.Decisions;

namespace Cluster.Silo.Decisions;

/// <summary>
/// Wakes long-polling feed readers when their platform gets a decision stored by this silo. A reader takes
/// <see cref="Next"/> BEFORE querying, so a decision committed between its query and its wait still wakes it. (With
/// several silos a decision stored elsewhere is seen at the reader's next query: at the latest when its wait ends.)
/// </summary>
internal sealed class FeedSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    public FeedSignal(IDecisionStore store) => store.Recorded += OnRecorded;

    public Task Next(string platform) =>
        _next.GetOrAdd(platform, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void OnRecorded(IReadOnlyList<DecisionRecord> decisions)
    {
        foreach (var platform in decisions.Select(d => d.Platform).Distinct())
        {
            if (_next.TryRemove(platform, out var waiting))
            {
                waiting.TrySetResult();
            }
        }
    }
}
