namespace Cluster.Grains.Review;

/// <summary>
/// A reviewer acting on an item: who, and which queues they may see ("*" for all but the senior queue, which only
/// seniors see). An item outside the scope is treated as if it did not exist.
/// </summary>
public sealed record ReviewerScope(string Reviewer, IReadOnlyList<string> Queues, bool Senior)
{
    public bool MaySee(string queue) =>
        queue == ReviewQueues.Senior ? Senior : Queues.Contains("*") || Queues.Contains(queue);
}
