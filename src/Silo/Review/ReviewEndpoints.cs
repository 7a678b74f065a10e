using Cluster.Grains.Accounts;
using Cluster.Grains.Review;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Problems;
using Cluster.Screening;
using Cluster.Silo.Accounts;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Silo.Review;

/// <summary>Reviewers pull work: claim (a lease), decide, release, queue stats (reviewer token).</summary>
internal static class ReviewEndpoints
{
    public const int MaxClaim = 50;
    public const int MaxLeaseSeconds = 900;
    public const int MinLeaseSeconds = 10;

    public static IEndpointRouteBuilder MapReview(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/review").RequireAuthorization(AuthPolicies.Reviewer);
        group.MapPost("/claim", ClaimAsync);
        group.MapPost("/items/{id}/decision", DecideAsync);
        group.MapPost("/items/{id}/release", ReleaseAsync);
        group.MapGet("/queues", QueuesAsync);
        return app;
    }

    private static async Task<IResult> ClaimAsync(HttpContext http, IReviewStore store, IGrainFactory grains)
    {
        var (body, problem) = await RequestBody.ReadAsync(http.Request, ReviewJson.Default.ClaimBody, empty: new ClaimBody(null, null, null));
        if (body is null)
        {
            return problem!;
        }
        var max = body.Max ?? 10;
        if (max is < 1 or > MaxClaim)
        {
            return P.Field("max", $"must be between 1 and {MaxClaim}");
        }
        var lease = body.LeaseSeconds ?? 300;
        if (lease is < MinLeaseSeconds or > MaxLeaseSeconds)
        {
            return P.Field("leaseSeconds", $"must be between {MinLeaseSeconds} and {MaxLeaseSeconds}");
        }
        var user = http.User;
        var queues = user.Queues();
        if (body.Queue is { } queue && !MayRead(queues, user.IsSenior(), queue))
        {
            return P.Forbidden("queue", $"queue '{queue}' is not one of this reviewer's queues");
        }
        var claimed = await store.ClaimAsync(
            new ClaimRequest(user.CallerId(), queues, user.IsSenior(), body.Queue, max, TimeSpan.FromSeconds(lease)), http.RequestAborted);
        var items = new List<ReviewItemView>(claimed.Count);
        foreach (var c in claimed)
        {
            var account = await grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(c.Item.Platform, c.Item.Account)).GetStateAsync();
            var post = c.Post is null ? null : new ReviewPost(c.Post.PostId, c.Post.Account, c.Post.Kind, c.Post.Text, c.Post.CreatedAt, c.Post.ReceivedAt);
            items.Add(new ReviewItemView(c.Item.Id, c.Item.Queue, c.Item.Priority, post, c.Item.Labels, c.Reports,
                account is null ? null : AccountEndpoints.View(c.Item.Account, account), c.LeaseUntil, c.Item.MachineDecisionId));
        }
        return TypedResults.Ok(new ClaimResponse(items));
    }

    private static async Task<IResult> DecideAsync(string id, HttpContext http, IReviewStore store, IGrainFactory grains)
    {
        var (body, problem) = await RequestBody.ReadAsync(http.Request, ReviewJson.Default.VerdictBody);
        if (body is null)
        {
            return problem!;
        }
        var verdict = body.Verdict;
        if (verdict is not (ReviewVerdict.Violation or ReviewVerdict.Clear or ReviewVerdict.Escalate))
        {
            return P.Field("verdict", "must be 'violation', 'clear' or 'escalate'");
        }
        if (body.Category is not null && !Categories.TryParse(body.Category, out _))
        {
            return P.Field("category", $"unknown category; use one of {string.Join(", ", Categories.All.Select(Categories.Name))}");
        }
        if (body.Sanction is not null && !AccountStatus.Sanctions.Contains(body.Sanction))
        {
            return P.Field("sanction", "must be one of none, warn, restrict, suspend, ban");
        }
        if (body.Note is { Length: > 2000 })
        {
            return P.Field("note", "at most 2000 characters");
        }
        var reviewer = Scope(http);
        ReviewOutcome outcome;
        if (verdict == ReviewVerdict.Escalate)
        {
            outcome = await store.EscalateAsync(id, reviewer, http.RequestAborted);
        }
        else
        {
            var category = body.Category?.Trim().ToLowerInvariant();
            // 1. item decided and verdict stored, one transaction; 2. the grain applies it (strike, sanction, human
            // decision); 3. the stored verdict is marked applied. A crash between 1 and 3 leaves it for VerdictRedelivery,
            // and the grain skips an item id it has applied, so a strike is counted once.
            (outcome, var stored) = await store.DecideAsync(id, reviewer, verdict, item =>
                new ReviewVerdict(ReviewVerdict.CurrentV, item.Platform, item.Account, item.PostId, item.Id, reviewer.Reviewer, verdict, category,
                    body.Sanction, item.MachineDecisionId, item.Labels, body.Note, item.Version), http.RequestAborted);
            if (stored is not null)
            {
                await grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(stored.Platform, stored.Account)).ApplyVerdictAsync(stored);
                await store.MarkVerdictAppliedAsync(stored.ItemId, http.RequestAborted);
            }
        }
        return outcome switch
        {
            ReviewOutcome.Done => TypedResults.Ok(new VerdictResponse(id, verdict)),
            ReviewOutcome.NotFound => NoSuchItem(),
            _ => P.Conflict("this reviewer does not hold the item's lease (never claimed, released, expired, decided, or superseded by an edit of the post)"),
        };
    }

    private static async Task<IResult> ReleaseAsync(string id, HttpContext http, IReviewStore store) =>
        await store.ReleaseAsync(id, Scope(http), http.RequestAborted) switch
        {
            ReviewOutcome.Done => TypedResults.NoContent(),
            ReviewOutcome.NotFound => NoSuchItem(),
            _ => P.Conflict("this reviewer does not hold the item's lease"),
        };

    private static async Task<IResult> QueuesAsync(HttpContext http, IReviewStore store)
    {
        var user = http.User;
        var queues = user.Queues();
        var stats = await store.QueueStatsAsync(http.RequestAborted);
        return TypedResults.Ok(stats.Where(s => MayRead(queues, user.IsSenior(), s.Queue)).ToList());
    }

    /// <summary>The caller and the queues they may see: an item outside them answers as a missing one does.</summary>
    private static ReviewerScope Scope(HttpContext http) => new(http.User.CallerId(), http.User.Queues(), http.User.IsSenior());

    /// <summary>One body for "no such item" and "not in your queues", without the id, so neither can be told apart.</summary>
    private static IResult NoSuchItem() => P.NotFound("no such review item");

    private static bool MayRead(IReadOnlyList<string> queues, bool senior, string queue) =>
        queue == ReviewQueues.Senior ? senior : queues.Contains("*") || queues.Contains(queue);
}
