namespace Cluster.Grains.Decisions;

/// <summary>
/// One row of a platform's decisions feed, for one version of a post. Ids derive from (platform, post id, version)
/// and the kind of decision (<see cref="Posts.DerivedIds"/>), so a replayed turn produces the same id and the store's
/// unique key turns a second write into a no-op. Rows written before ids were derived keep their old ids.
/// A decision emitted without <see cref="Supersedes"/> gets it from the store when it is written: the decision then in
/// force for the post, if any (an edit's machine decision supersedes the previous version's machine or human one).
/// </summary>
public sealed record DecisionRecord(
    string DecisionId,
    string Platform,
    string PostId,
    int Version,
    string Account,
    string Action,
    string Source,
    string? Reviewer,
    DateTimeOffset DecidedAt,
    string? Supersedes,
    IReadOnlyList<DecisionLabel> Labels,
    double RiskScore,
    string AccountStatus,
    Debunk? Debunk);
