namespace Cluster.Ingest.Auth;

/// <summary>Authorization policy names, one per kind of token; the claims carry the principal's id.</summary>
public static class AuthPolicies
{
    public const string Scheme = "Bearer";
    public const string Admin = "admin";
    public const string Platform = "platform";
    public const string Reviewer = "reviewer";

    public const string KindClaim = "kind";
    public const string IdClaim = "sub";
    public const string RoleClaim = "role";
    public const string QueueClaim = "queue";
}
