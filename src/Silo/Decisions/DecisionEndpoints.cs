using System.Globalization;
using Cluster.Grains;
using Cluster.Grains.Decisions;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Problems;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Silo.Decisions;

/// <summary>GET /v1/decisions: a platform's decisions in commit order, with a cursor and long-polling.</summary>
internal static class DecisionEndpoints
{
    public const int MaxLimit = 1000;
    public const int MaxWaitMs = 30_000;

    public static IEndpointRouteBuilder MapDecisions(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireAuthorization(AuthPolicies.Platform).MapGet("/decisions", ReadAsync);
        return app;
    }

    private static async Task<IResult> ReadAsync(HttpContext http, IDecisionStore store, FeedSignal signal, [FromKeyedServices(ClusterClock.Key)] TimeProvider time)
    {
        var platform = http.User.CallerId();
        var query = http.Request.Query;
        if (!QueryValues.TryGet(query, "after", out var after) || !TryParseCursor(after, out var cursor))
        {
            return P.Field("after", "must be a cursor returned as 'next' or 'cursor', given once");
        }
        if (QueryValues.Int(query, "limit", 100, 1, MaxLimit, out var n) is { } limitError)
        {
            return P.Field("limit", limitError);
        }
        if (QueryValues.Int(query, "waitMs", 0, 0, MaxWaitMs, out var wait) is { } waitError)
        {
            return P.Field("waitMs", waitError);
        }

        var started = time.GetTimestamp();
        while (true)
        {
            var next = signal.Next(platform); // armed before the query
            var rows = await store.ReadFeedAsync(platform, cursor, n, http.RequestAborted);
            var remaining = TimeSpan.FromMilliseconds(wait) - time.GetElapsedTime(started);
            if (rows.Count > 0 || remaining <= TimeSpan.Zero)
            {
                var items = rows.Select(r => ToItem(r.Cursor, r.Decision)).ToList();
                var nextCursor = rows.Count > 0 ? rows[^1].Cursor : cursor;
                return TypedResults.Ok(new FeedPage(items, FeedCursor.Format(nextCursor)));
            }
            try
            {
                await next.WaitAsync(remaining, time, http.RequestAborted);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>The one place that reads the <c>after</c> cursor; absent means from the start.</summary>
    private static bool TryParseCursor(string? after, out long cursor)
    {
        cursor = 0;
        return string.IsNullOrEmpty(after) || FeedCursor.TryParse(after, out cursor);
    }

    private static FeedItem ToItem(long cursor, DecisionRecord d) =>
        new(FeedCursor.Format(cursor), d.DecisionId, d.PostId, d.Version, d.Account, d.Action, d.Labels, d.Source, d.Reviewer,
            d.DecidedAt, d.Supersedes, d.RiskScore, d.AccountStatus, d.Debunk, d.PolicyVersion);
}
