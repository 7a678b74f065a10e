namespace Cluster.Grains.Review;

public static class ReviewQueues
{
    /// <summary>Escalated items wait here; only senior reviewers claim from it.</summary>
    public const string Senior = "senior";

    public const string Pending = "pending";
    public const string Claimed = "claimed";
    public const string Decided = "decided";

    /// <summary>Closed without a verdict because a newer version of the post was accepted.</summary>
    public const string Superseded = "superseded";
}
