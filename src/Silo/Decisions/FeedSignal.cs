using System.Collections.Concurrent;
using Cluster.Grains.Runtime;

namespace Cluster.Silo.Decisions;

/// <summary>
/// Wakes long-polling feed readers when their platform gets a decision. A reader takes <see cref="Next"/> BEFORE
/// querying, so a decision committed between its query and its wait still wakes it.
/// </summary>
internal sealed class FeedSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    public FeedSignal(GrainRuntime runtime) => runtime.Flushed += OnFlushed;

    public Task Next(string platform) =>
        _next.GetOrAdd(platform, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void OnFlushed(PartitionFlush flush)
    {
        foreach (var platform in flush.Decisions.Select(d => d.Platform).Distinct())
        {
            if (_next.TryRemove(platform, out var waiting))
            {
                waiting.TrySetResult();
            }
        }
    }
}
