using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>Inbox payload (kind "verdict"): a reviewer's final verdict on one of the account's posts.</summary>
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
    string? Note)
{
    public const string MessageKind = "verdict";
    public const string Violation = "violation";
    public const string Clear = "clear";
    public const string Escalate = "escalate";
}
