using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>
/// Inbox payload (kind "post"): one screened version of a post for its AccountGrain to decide. Carries findings (and
/// the debunk notice of a known rumor it repeats), never text. V2 added <see cref="Version"/>; a V1 payload is
/// version 1.
/// </summary>
public sealed record PostSubmitted(
    int V,
    string Platform,
    string PostId,
    string Account,
    string Kind,
    DateTimeOffset ReceivedAt,
    AccountMeta? Meta,
    IReadOnlyList<PostFinding> Findings,
    Debunk? Debunk = null,
    int Version = 1)
{
    public const string MessageKind = "post";
    public const int CurrentV = 2;
}
