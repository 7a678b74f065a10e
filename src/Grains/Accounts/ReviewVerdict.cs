using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>
/// Inbox payload (kind "verdict"): a reviewer's final verdict on one version of one of the account's posts. V2 added
/// <see cref="Version"/>; a V1 payload is version 1.
/// </summary>
public sealed record ReviewVerdict(
    int V,
    string Platform,
    string Account,
    string PostId,
    string ItemId,
    string Reviewer,
    string Verdict,
    string? Category,
    string? Sanction,
    string Supersedes,
    IReadOnlyList<DecisionLabel> Labels,
    string? Note,
    int Version = 1)
{
    public const string MessageKind = "verdict";
    public const int CurrentV = 2;
    public const string Violation = "violation";
    public const string Clear = "clear";
    public const string Escalate = "escalate";
}
