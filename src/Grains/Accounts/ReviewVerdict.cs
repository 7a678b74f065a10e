using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>
/// A reviewer's final verdict on one version of one of the account's posts, the argument of
/// <see cref="IAccountGrain.ApplyVerdictAsync"/>. Stored as JSON with the decided review item until the grain has
/// applied it (pending_verdicts), so a crash between the two never loses it. V2 added <see cref="Version"/>; a V1
/// payload is version 1.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReviewVerdict(
    [property: Id(0)] int V,
    [property: Id(1)] string Platform,
    [property: Id(2)] string Account,
    [property: Id(3)] string PostId,
    [property: Id(4)] string ItemId,
    [property: Id(5)] string Reviewer,
    [property: Id(6)] string Verdict,
    [property: Id(7)] string? Category,
    [property: Id(8)] string? Sanction,
    [property: Id(9)] string Supersedes,
    [property: Id(10)] IReadOnlyList<DecisionLabel> Labels,
    [property: Id(11)] string? Note,
    [property: Id(12)] int Version = 1)
{
    public const string MessageKind = "verdict";
    public const int CurrentV = 2;
    public const string Violation = "violation";
    public const string Clear = "clear";
    public const string Escalate = "escalate";
}
