using System.Collections.Concurrent;
using Cluster.Grains.Decisions;
using Cluster.Grains.Runtime;

namespace Cluster.Ingest.Posts;

/// <summary>
/// Lets POST /v1/screen wait for the machine decisions of its posts. Waits are armed before the posts are committed,
/// and completed from the runtime's flush event, which fires only after the decision is durable.
/// </summary>
public sealed class DecisionWaiters
{
    private readonly ConcurrentDictionary<(string Platform, string PostId), TaskCompletionSource<DecisionRecord>> _waiting = new();

    public DecisionWaiters(GrainRuntime runtime) => runtime.Flushed += OnFlushed;

    public Task<DecisionRecord> Arm(string platform, string postId) =>
        _waiting.GetOrAdd((platform, postId), _ => new TaskCompletionSource<DecisionRecord>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Disarm(string platform, string postId) => _waiting.TryRemove((platform, postId), out _);

    private void OnFlushed(PartitionFlush flush)
    {
        if (_waiting.IsEmpty)
        {
            return;
        }
        foreach (var d in flush.Decisions)
        {
            if (d.Source == DecisionActions.Machine && _waiting.TryRemove((d.Platform, d.PostId), out var waiter))
            {
                waiter.TrySetResult(d);
            }
        }
    }
}
