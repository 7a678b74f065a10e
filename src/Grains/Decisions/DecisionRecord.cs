namespace Cluster.Grains.Decisions;

/// <summary>
/// One row of a platform's decisions feed, for one version of a post. Ids derive from (platform, post id, version)
/// and the kind of decision (<see cref="Posts.DerivedIds"/>), so a replayed turn produces the same id and the store's
/// unique key turns a second write into a no-op. Rows written before ids were derived keep their old ids.
/// A decision emitted without <see cref="Supersedes"/> gets it from the store when it is written: the decision then in
/// force for the post, if any (an edit's machine decision supersedes the previous version's machine or human one).
/// <see cref="PolicyVersion"/> is the version of the platform's policy a machine decision applied (0: the default
/// thresholds, no policy stored); a human decision has none.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DecisionRecord(
    [property: Id(0)] string DecisionId,
    [property: Id(1)] string Platform,
    [property: Id(2)] string PostId,
    [property: Id(3)] int Version,
    [property: Id(4)] string Account,
    [property: Id(5)] string Action,
    [property: Id(6)] string Source,
    [property: Id(7)] string? Reviewer,
    [property: Id(8)] DateTimeOffset DecidedAt,
    [property: Id(9)] string? Supersedes,
    [property: Id(10)] IReadOnlyList<DecisionLabel> Labels,
    [property: Id(11)] double RiskScore,
    [property: Id(12)] string AccountStatus,
    [property: Id(13)] Debunk? Debunk,
    [property: Id(14)] long? PolicyVersion = null);
