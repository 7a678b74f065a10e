using System.Text.Json;
using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Grains.Runtime;
using Cluster.Grains.Storage;
using Cluster.Screening;

namespace Cluster.Grains.Accounts;

/// <summary>
/// Stage 2 for one account (key "platform/account"): turns a post's stage-1 findings into allow / review / block
/// under the platform's policy, keeps the account's running risk and counts, escalates to review, and applies
/// reviewers' verdicts (strikes, sanctions, a human decision that supersedes the machine one).
/// </summary>
public sealed class AccountGrain : Grain
{
    public const string Type = "account";

    /// <summary>Risk halves every 7 days without new findings.</summary>
    private static readonly TimeSpan RiskHalfLife = TimeSpan.FromDays(7);

    /// <summary>A reviewer-confirmed violation adds this much risk to its category.</summary>
    private const double ConfirmedViolationRisk = 0.5;

    private static readonly TimeSpan SuspensionLength = TimeSpan.FromDays(7);

    private readonly PlatformPolicies _policies;
    private AccountState _state;

    public AccountGrain(GrainId id, string? state, PlatformPolicies policies)
        : base(id)
    {
        _policies = policies;
        _state = state is null ? new AccountState() : JsonSerializer.Deserialize(state, GrainsJson.Default.AccountState)!;
    }

    public static GrainId IdOf(string platform, string account) => new(Type, platform + "/" + account);

    public static AccountState Parse(string state) => JsonSerializer.Deserialize(state, GrainsJson.Default.AccountState)!;

    public override string SaveState() => JsonSerializer.Serialize(_state, GrainsJson.Default.AccountState);

    public override ValueTask ApplyAsync(InboxEnvelope envelope, TurnContext context)
    {
        switch (envelope.Message.Kind)
        {
            case PostSubmitted.MessageKind:
                ApplyPost(JsonSerializer.Deserialize(envelope.Message.Payload, GrainsJson.Default.PostSubmitted)!, context);
                break;
            case ReviewVerdict.MessageKind:
                ApplyVerdict(JsonSerializer.Deserialize(envelope.Message.Payload, GrainsJson.Default.ReviewVerdict)!, context);
                break;
            default:
                throw new InvalidOperationException($"AccountGrain does not handle '{envelope.Message.Kind}'.");
        }
        return ValueTask.CompletedTask;
    }

    private void ApplyPost(PostSubmitted post, TurnContext context)
    {
        var now = context.Time.GetUtcNow();
        var policy = _policies.Get(post.Platform);
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
        var hits = new Dictionary<string, long>(_state.CategoryHits);
        foreach (var label in labels)
        {
            Categories.TryParse(label.Category, out var category);
            risk[(int)category] = Math.Max(risk[(int)category], label.Score);
            hits[label.Category] = hits.GetValueOrDefault(label.Category) + 1;
        }
        // An edit is the same post: Posts counts posts, not versions. Violations counts violating versions, since an
        // edit that still violates is a fresh attempt to publish it (docs/api.md, "Edited posts").
        _state = _state with
        {
            Posts = _state.Posts + (post.Version > 1 ? 0 : 1),
            Violations = _state.Violations + (action == DecisionActions.Block ? 1 : 0),
            Risk = risk,
            RiskUpdatedAt = now,
            CategoryHits = hits,
            Meta = post.Meta ?? _state.Meta,
            LastPostAt = now,
        };

        // Supersedes stays empty: the store fills in the decision in force when it writes this one.
        var decisionId = DerivedIds.MachineDecision(post.Platform, post.PostId, post.Version);
        context.Decide(new DecisionRecord(
            decisionId, post.Platform, post.PostId, post.Version, post.Account, action, DecisionActions.Machine, null, now, null,
            labels, Math.Round(risk.Max(), 4), CurrentStatus(now), post.Debunk));
        if (action == DecisionActions.Review)
        {
            context.Escalate(new ReviewItemRecord(
                DerivedIds.ReviewItem(post.Platform, post.PostId, post.Version), post.Platform, post.Account, post.PostId, post.Version,
                Categories.Name((Category)top), (int)Math.Round(scores[top] * 100), labels, decisionId, now));
        }
    }

    private void ApplyVerdict(ReviewVerdict verdict, TurnContext context)
    {
        var now = context.Time.GetUtcNow();
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
            var strikes = _state.Strikes + 1;
            var status = verdict.Sanction is { } sanction ? AccountStatus.ForSanction(sanction) : AccountStatus.ForStrikes(strikes);
            if (AccountStatus.Rank(status) < AccountStatus.Rank(CurrentStatus(now)))
            {
                status = CurrentStatus(now); // a lighter sanction never lifts a heavier one still in force
            }
            _state = _state with
            {
                Strikes = strikes,
                Violations = _state.Violations + 1,
                Status = status,
                SanctionUntil = status == AccountStatus.Suspended ? now + SuspensionLength : _state.SanctionUntil,
                Risk = risk,
                RiskUpdatedAt = now,
            };
        }
        else
        {
            labels = [];
        }

        context.Decide(new DecisionRecord(
            DerivedIds.HumanDecision(verdict.Platform, verdict.PostId, verdict.Version, verdict.ItemId), verdict.Platform, verdict.PostId,
            verdict.Version, verdict.Account, action,
            DecisionActions.Human, verdict.Reviewer, now, verdict.Supersedes, labels, Math.Round(risk.Max(), 4), CurrentStatus(now), null));
    }

    /// <summary>The account's status now: a suspension that has run out steps down to restricted.</summary>
    private string CurrentStatus(DateTimeOffset now) =>
        _state.Status == AccountStatus.Suspended && _state.SanctionUntil is { } until && until <= now
            ? AccountStatus.Restricted
            : _state.Status;

    private double[] DecayedRisk(DateTimeOffset now)
    {
        var risk = (double[])_state.Risk.Clone();
        if (risk.Length < Categories.Count)
        {
            Array.Resize(ref risk, Categories.Count);
        }
        if (_state.RiskUpdatedAt is { } then && now > then)
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
