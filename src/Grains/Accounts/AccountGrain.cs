using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Grains.Streams;
using Cluster.Screening;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Cluster.Grains.Accounts;

/// <summary>
/// Stage 2 for one account (key "platform/account"): turns a post's stage-1 findings into allow / review / block
/// under the platform's policy, keeps the account's running risk and counts, escalates to review, and applies
/// reviewers' verdicts (strikes, sanctions, a human decision that supersedes the machine one).
/// <para>
/// Effects exactly once over at-least-once delivery (docs/architecture.md): every apply first checks the dedupe marks in
/// the state (stream token, recent (post id, version) pairs, recent review item ids); then writes the decision and review
/// item (idempotent inserts keyed by <see cref="DerivedIds"/>), then the state with the new marks (ETag-checked), and
/// only then returns, which for a stream event is its acknowledgement. A crash anywhere before the return redelivers the
/// event: the repeated inserts are ignored and the marks skip what the stored state already holds.
/// </para>
/// <para>
/// When the grain storage implements <see cref="IStagedFacts"/> (SQLite, PostgreSQL), the facts are staged with it and
/// written in the state write's own request and transaction: one commit per apply, and facts and state commit together
/// or not at all. Otherwise (Orleans' Azure blob storage) they go to <see cref="IDecisionStore.RecordAsync"/> first (two
/// commits). Where the stream's tokens do not survive a restart (<see cref="PostStreamOptions.DurableTokens"/> false:
/// Azure queues) only the (post id, version) marks dedupe stream events.
/// </para>
/// </summary>
[GrainType(AccountGrain.GrainTypeName)]
[ImplicitStreamSubscription(PostStreams.Namespace)]
public sealed class AccountGrain(
    [PersistentState(AccountGrain.StateName, PostStreams.Storage)] IPersistentState<AccountState> persisted,
    PlatformPolicies policies,
    IDecisionStore store,
    [FromKeyedServices(PostStreams.Storage)] IGrainStorage storage,
    PlatformAggregator aggregates,
    [FromKeyedServices(ClusterClock.Key)] TimeProvider time,
    IOptions<PostStreamOptions> streamOptions,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain, IStreamSubscriptionObserver
{
    /// <summary>The grain type in grain ids and in stored state rows; part of the stored format.</summary>
    public const string GrainTypeName = "account";

    /// <summary>The name of the state in grain storage; part of the stored format.</summary>
    public const string StateName = "account";

    /// <summary>Risk halves every 7 days without new findings.</summary>
    private static readonly TimeSpan RiskHalfLife = TimeSpan.FromDays(7);

    /// <summary>A reviewer-confirmed violation adds this much risk to its category.</summary>
    private const double ConfirmedViolationRisk = 0.5;

    private static readonly TimeSpan SuspensionLength = TimeSpan.FromDays(7);

    private readonly IStagedFacts? _staging = storage as IStagedFacts;

    /// <summary>Whether a stream token at or below <see cref="AccountState.LastSeq"/> is a redelivery (<see cref="PostStreamOptions"/>).</summary>
    private readonly bool _durableTokens = streamOptions.Value.DurableTokens;

    private AccountState Current => persisted.State;

    public static string KeyOf(string platform, string account) => PostStreams.Key(platform, account);

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<PostSubmitted>().ResumeAsync(OnNextAsync);

    public async Task<DecisionRecord> DecideAsync(PostSubmitted post) =>
        await ApplyPostAsync(post, 0)
        ?? await store.GetLatestAsync(post.Platform, post.PostId, CancellationToken.None)
        ?? throw new InvalidOperationException($"{this.GetPrimaryKeyString()}: post version {post.Version} is marked applied but has no decision.");

    public async Task ApplyVerdictAsync(ReviewVerdict verdict)
    {
        if (Current.RecentVerdicts.Contains(verdict.ItemId))
        {
            return;
        }
        var (next, decision) = DecideVerdict(verdict, time.GetUtcNow());
        await WriteAsync(next with { RecentVerdicts = AppliedMarks.Add(next.RecentVerdicts, verdict.ItemId, AppliedMarks.MaxVerdicts) }, decision, null);
        aggregates.Add(decision);
    }

    public Task<AccountState?> GetStateAsync() => Task.FromResult(persisted.RecordExists ? Current : null);

    /// <summary>
    /// A "posts" stream event. Returning is the acknowledgement, so it returns only once the effects are durable. An event
    /// at or below <see cref="AccountState.LastSeq"/> is usually a redelivery, but not always: Orleans' pulling agent
    /// passes over an event whose delivery kept failing for <c>MaxEventDeliveryTime</c> (the store down for longer than
    /// that) and goes on with the stream's later events, and the row, never acknowledged, comes again when its queue
    /// restarts. So below LastSeq the event is skipped only when its post version is marked applied or has a stored
    /// decision (a redelivery older than the marks window); otherwise it is applied now.
    /// </summary>
    private async Task OnNextAsync(PostSubmitted post, StreamSequenceToken? token)
    {
        var seq = _durableTokens ? token?.SequenceNumber ?? 0 : 0;
        if (seq > 0 && seq <= Current.LastSeq && await WasAppliedAsync(post))
        {
            AccountLog.Redelivered(logger, this.GetPrimaryKeyString(), seq);
            return;
        }
        if (await ApplyPostAsync(post, seq) is not null)
        {
            DeliveryFaults.AfterStreamStateWrite();
        }
    }

    private async Task<bool> WasAppliedAsync(PostSubmitted post) =>
        Current.RecentPosts.Contains(AppliedMarks.Post(post.PostId, post.Version))
        || await store.GetLatestAsync(post.Platform, post.PostId, CancellationToken.None) is { } decided && decided.Version >= post.Version;

    /// <summary>Applies a post version unless it was applied before; null when it was (nothing written).</summary>
    private async Task<DecisionRecord?> ApplyPostAsync(PostSubmitted post, long seq)
    {
        var mark = AppliedMarks.Post(post.PostId, post.Version);
        if (Current.RecentPosts.Contains(mark))
        {
            return null;
        }
        var (next, decision, item) = DecidePost(post, time.GetUtcNow());
        await WriteAsync(next with
        {
            LastSeq = Math.Max(next.LastSeq, seq),
            RecentPosts = AppliedMarks.Add(next.RecentPosts, mark, AppliedMarks.MaxPosts),
        }, decision, item);
        aggregates.Add(decision);
        return decision;
    }

    /// <summary>
    /// Writes the apply's effects in their order: 1. decision and review item (a replay writes the same ids and they are
    /// skipped), 2. the state with its marks (ETag-checked); staged with the storage, both go in the state write's one
    /// transaction. On a failed state write the activation is dropped, whatever the cause: a stale ETag
    /// (InconsistentStateException: another activation wrote since this one read) or an I/O error both leave memory
    /// unlike storage, and the next activation reads the stored state. Orleans also deactivates on an
    /// InconsistentStateException escaping a call; the explicit DeactivateOnIdle covers the other failures.
    /// </summary>
    private async Task WriteAsync(AccountState next, DecisionRecord decision, ReviewItemRecord? item)
    {
        IReadOnlyList<ReviewItemRecord> items = item is null ? [] : [item];
        var staged = _staging?.TryStage(this.GetGrainId(), [decision], items) == true;
        if (!staged)
        {
            await store.RecordAsync([decision], items, CancellationToken.None);
        }
        var previous = persisted.State;
        persisted.State = next with { V = AccountState.CurrentV };
        try
        {
            await persisted.WriteStateAsync();
        }
        catch (Exception ex)
        {
            if (staged)
            {
                _staging!.Discard(this.GetGrainId());
            }
            persisted.State = previous;
            AccountLog.WriteFailed(logger, ex, this.GetPrimaryKeyString());
            DeactivateOnIdle();
            throw;
        }
    }

    private (AccountState State, DecisionRecord Decision, ReviewItemRecord? Item) DecidePost(PostSubmitted post, DateTimeOffset now)
    {
        var policy = policies.Get(post.Platform);
        var scores = new double[Categories.Count];
        var evidence = new List<Evidence>?[Categories.Count];
        foreach (var f in post.Findings)
        {
            if (!Categories.TryParse(f.Category, out var category))
            {
                continue;
            }
            var i = (int)category;
            scores[i] = ScreeningResult.Combine(scores[i], f.Weight);
            (evidence[i] ??= []).Add(new Evidence(f.Start, f.End, f.Text, f.Source));
        }

        var action = DecisionActions.Allow;
        var labels = new List<DecisionLabel>();
        var top = -1;
        foreach (var category in Categories.All)
        {
            var i = (int)category;
            if (scores[i] <= 0)
            {
                continue;
            }
            labels.Add(new DecisionLabel(Categories.Name(category), Math.Round(scores[i], 4), evidence[i]!));
            var threshold = policy.For(category);
            if (scores[i] >= threshold.Block)
            {
                action = DecisionActions.Block;
            }
            else if (scores[i] >= threshold.Review && action == DecisionActions.Allow)
            {
                action = DecisionActions.Review;
            }
            if (top < 0 || scores[i] > scores[top])
            {
                top = i;
            }
        }

        var risk = DecayedRisk(now);
        // The stored dictionary is never changed once in a state: a post without labels shares it.
        var hits = labels.Count == 0 ? Current.CategoryHits : new Dictionary<string, long>(Current.CategoryHits);
        foreach (var label in labels)
        {
            Categories.TryParse(label.Category, out var category);
            risk[(int)category] = Math.Max(risk[(int)category], label.Score);
            hits[label.Category] = hits.GetValueOrDefault(label.Category) + 1;
        }
        // An edit is the same post: Posts counts posts, not versions. Violations counts violating versions, since an
        // edit that still violates is a fresh attempt to publish it (docs/api.md, "Edited posts").
        var next = Current with
        {
            Posts = Current.Posts + (post.Version > 1 ? 0 : 1),
            Violations = Current.Violations + (action == DecisionActions.Block ? 1 : 0),
            Risk = risk,
            RiskUpdatedAt = now,
            CategoryHits = hits,
            Meta = post.Meta ?? Current.Meta,
            LastPostAt = now,
        };

        // Supersedes stays empty: the store fills in the decision in force when it writes this one.
        var decisionId = DerivedIds.MachineDecision(post.Platform, post.PostId, post.Version);
        var decision = new DecisionRecord(
            decisionId, post.Platform, post.PostId, post.Version, post.Account, action, DecisionActions.Machine, null, now, null,
            labels, Math.Round(risk.Max(), 4), CurrentStatus(next, now), post.Debunk, policy.Version);
        var item = action != DecisionActions.Review
            ? null
            : new ReviewItemRecord(
                DerivedIds.ReviewItem(post.Platform, post.PostId, post.Version), post.Platform, post.Account, post.PostId, post.Version,
                Categories.Name((Category)top), (int)Math.Round(scores[top] * 100), labels, decisionId, now);
        return (next, decision, item);
    }

    private (AccountState State, DecisionRecord Decision) DecideVerdict(ReviewVerdict verdict, DateTimeOffset now)
    {
        var next = Current;
        var risk = DecayedRisk(now);
        var labels = verdict.Labels;
        var action = DecisionActions.Allow;
        if (verdict.Verdict == ReviewVerdict.Violation)
        {
            action = DecisionActions.Block;
            if (verdict.Category is not null && Categories.TryParse(verdict.Category, out var category))
            {
                labels = [new DecisionLabel(verdict.Category, 1.0, labels.FirstOrDefault(l => l.Category == verdict.Category)?.Evidence ?? [])];
                risk[(int)category] = Math.Min(1.0, risk[(int)category] + ConfirmedViolationRisk);
            }
            else
            {
                foreach (var label in labels)
                {
                    if (Categories.TryParse(label.Category, out var c))
                    {
                        risk[(int)c] = Math.Min(1.0, risk[(int)c] + ConfirmedViolationRisk);
                    }
                }
            }
            var strikes = Current.Strikes + 1;
            var status = verdict.Sanction is { } sanction ? AccountStatus.ForSanction(sanction) : AccountStatus.ForStrikes(strikes);
            if (AccountStatus.Rank(status) < AccountStatus.Rank(CurrentStatus(Current, now)))
            {
                status = CurrentStatus(Current, now); // a lighter sanction never lifts a heavier one still in force
            }
            next = Current with
            {
                Strikes = strikes,
                Violations = Current.Violations + 1,
                Status = status,
                SanctionUntil = status == AccountStatus.Suspended ? now + SuspensionLength : Current.SanctionUntil,
                Risk = risk,
                RiskUpdatedAt = now,
            };
        }
        else
        {
            labels = [];
        }

        var decision = new DecisionRecord(
            DerivedIds.HumanDecision(verdict.Platform, verdict.PostId, verdict.Version, verdict.ItemId), verdict.Platform, verdict.PostId,
            verdict.Version, verdict.Account, action,
            DecisionActions.Human, verdict.Reviewer, now, verdict.Supersedes, labels, Math.Round(risk.Max(), 4), CurrentStatus(next, now), null);
        return (next, decision);
    }

    /// <summary>The account's status now: a suspension that has run out steps down to restricted.</summary>
    private static string CurrentStatus(AccountState state, DateTimeOffset now) =>
        state.Status == AccountStatus.Suspended && state.SanctionUntil is { } until && until <= now
            ? AccountStatus.Restricted
            : state.Status;

    private double[] DecayedRisk(DateTimeOffset now)
    {
        var risk = (double[])Current.Risk.Clone();
        if (risk.Length < Categories.Count)
        {
            Array.Resize(ref risk, Categories.Count);
        }
        if (Current.RiskUpdatedAt is { } then && now > then)
        {
            var factor = Math.Pow(0.5, (now - then) / RiskHalfLife);
            for (var i = 0; i < risk.Length; i++)
            {
                risk[i] *= factor;
            }
        }
        return risk;
    }
}
