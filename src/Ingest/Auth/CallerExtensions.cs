using System.Security.Claims;

namespace Cluster.Ingest.Auth;

public static class CallerExtensions
{
    /// <summary>The caller's id: the platform id for a platform key, the reviewer id for a reviewer token.</summary>
    public static string CallerId(this ClaimsPrincipal user) =>
        user.FindFirstValue(AuthPolicies.IdClaim) ?? throw new InvalidOperationException("Endpoint reached without an authenticated caller.");

    public static bool IsSenior(this ClaimsPrincipal user) => user.FindFirstValue(AuthPolicies.RoleClaim) == "senior";

    public static IReadOnlyList<string> Queues(this ClaimsPrincipal user) =>
        user.FindAll(AuthPolicies.QueueClaim).Select(c => c.Value).ToList();
}
