using Cluster.Grains.Accounts;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Posts;
using Cluster.Screening;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Silo.Accounts;

/// <summary>An account's standing as of its last applied post or verdict (platform key; only the caller's own accounts).</summary>
internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireAuthorization(AuthPolicies.Platform).MapGet("/accounts/{account}", GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(string account, HttpContext http, IGrainFactory grains)
    {
        if (PostReader.IdError(account) is { } error)
        {
            return P.Field("account", $"{error}; {PostReader.IdRule}");
        }
        var platform = http.User.CallerId();
        var state = await grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(platform, account)).GetStateAsync();
        if (state is null)
        {
            return P.NotFound("account", "no posts from this account have been decided");
        }
        return TypedResults.Ok(View(account, state));
    }

    public static AccountView View(string account, AccountState s)
    {
        var categories = new Dictionary<string, double>();
        for (var i = 0; i < s.Risk.Length && i < Categories.Count; i++)
        {
            if (s.Risk[i] > 0)
            {
                categories[Categories.Name((Category)i)] = Math.Round(s.Risk[i], 4);
            }
        }
        var risk = s.Risk.Length == 0 ? 0 : Math.Round(s.Risk.Max(), 4);
        return new AccountView(account, s.Status, risk, categories, s.Strikes, s.SanctionUntil, s.Posts, s.Violations);
    }
}
