using Cluster.Grains.Accounts;

namespace Cluster.Grains.Review;

/// <summary>
/// Review queues. A claim is a lease: two reviewers never hold one item, and an expired lease returns it. Acting on an
/// item outside the reviewer's scope answers <see cref="ReviewOutcome.NotFound"/>, exactly as a missing id does.
/// </summary>
public interface IReviewStore
{
    Task<IReadOnlyList<ClaimedItem>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Records a final verdict and, in the same transaction, stores <paramref name="toAccount"/>'s verdict as not yet
    /// applied, so the verdict is durable exactly when the item is decided. The caller then applies it to the
    /// AccountGrain and calls <see cref="MarkVerdictAppliedAsync"/>; <see cref="VerdictRedelivery"/> applies what a crash
    /// left in between.
    /// </summary>
    Task<(ReviewOutcome Outcome, ReviewVerdict? Verdict)> DecideAsync(string itemId, ReviewerScope reviewer, string verdict, Func<ReviewItemRecord, ReviewVerdict> toAccount, CancellationToken cancellationToken);

    /// <summary>The verdict of the item has reached its AccountGrain (whose state now holds the item id).</summary>
    Task MarkVerdictAppliedAsync(string itemId, CancellationToken cancellationToken);

    /// <summary>Verdicts stored at least <paramref name="olderThan"/> ago and not marked applied, oldest first.</summary>
    Task<IReadOnlyList<ReviewVerdict>> UnappliedVerdictsAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken);

    /// <summary>Moves a held item to the senior queue, unclaimed.</summary>
    Task<ReviewOutcome> EscalateAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken);

    Task<ReviewOutcome> ReleaseAsync(string itemId, ReviewerScope reviewer, CancellationToken cancellationToken);

    Task<IReadOnlyList<QueueStats>> QueueStatsAsync(CancellationToken cancellationToken);
}
