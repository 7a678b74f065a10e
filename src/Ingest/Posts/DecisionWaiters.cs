using System.Collections.Concurrent;
using Cluster.Grains.Decisions;
using Cluster.Grains.Runtime;

namespace Cluster.Ingest.Posts;

/// <summary>
/// Lets POST /v1/screen wait for the machine decision of one version of a post, completed from the runtime's flush
/// event, which fires only after the decision is durable. The version is known only once the post is committed, so a
/// caller arms after the commit and then reads the store: a decision flushed before the arm is already readable there.
/// </summary>
public sealed class DecisionWaiters
{
    private readonly ConcurrentDictionary<(string Platform, string PostId, int Version), TaskCompletionSource<DecisionRecord>> _waiting = new();

    public DecisionWaiters(GrainRuntime runtime) => runtime.Flushed += OnFlushed;

    public Task<DecisionRecord> Arm(string platform, string postId, int version) =>
        _waiting.GetOrAdd((platform, postId, version), _ => new TaskCompletionSource<DecisionRecord>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Disarm(string platform, string postId, int version) => _waiting.TryRemove((platform, postId, version), out _);

    private void OnFlushed(PartitionFlush flush)
    {
        if (_waiting.IsEmpty)
        {
            return;
        }
        foreach (var d in flush.Decisions)
        {
            if (d.Source == DecisionActions.Machine && _waiting.TryRemove((d.Platform, d.PostId, d.Version), out var waiter))
            {
                waiter.TrySetResult(d);
            }
        }
    }
}
