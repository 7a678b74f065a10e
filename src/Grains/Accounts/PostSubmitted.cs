using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>Inbox payload (kind "post"): a screened post for its AccountGrain to decide. Carries findings (and the debunk notice of a known rumor it repeats), never text.</summary>
public sealed record PostSubmitted(
    int V,
    string Platform,
    string PostId,
    string Account,
    string Kind,
    DateTimeOffset ReceivedAt,
    AccountMeta? Meta,
    IReadOnlyList<PostFinding> Findings,
    Debunk? Debunk = null)
{
    public const string MessageKind = "post";
}
