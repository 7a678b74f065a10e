using Cluster.Grains.Runtime;

namespace Cluster.Grains.Review;

/// <summary>
/// Review queues. A claim is a lease: two reviewers never hold one item, and an expired lease returns it. Acting on an
/// item outside the reviewer's scope answers <see cref="ReviewOutcome.NotFound"/>, exactly as a missing id does.
/// </summary>
public interface IReviewStore
{
    Task<IReadOnlyList<ClaimedItem>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Records a final verdict and, in the same transaction, appends <paramref name="toAccount"/>'s message to the
    /// account's inbox, so the verdict reaches the AccountGrain exactly when it is recorded.
    /// </summary>
    Task<(ReviewOutcome Outcome, PartitionId? Partition)> DecideAsync(string itemId, ReviewerScope reviewer, string verdict, Func<ReviewItemRecord, InboxMessage> toAccount, CancellationToken cancellationToken);

    /// <summary>Moves a held item to the senior queue, unclaimed.</summary>
    Task<ReviewOutcome> EscalateAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken);

    Task<ReviewOutcome> ReleaseAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken);

    Task<IReadOnlyList<QueueStats>> QueueStatsAsync(CancellationToken cancellationToken);
}
