namespace Cluster.Grains.Accounts;

/// <summary>
/// An account's persisted state (grain storage "account"). <see cref="Risk"/> is indexed by <c>Category</c> and decays
/// with a half-life, so an account that stops offending recovers. V is the shape version: V1 rows (written by the
/// partition runtime of earlier builds, migrated into grain storage at start) lack the dedupe marks and read with them
/// empty. V2 added <see cref="LastSeq"/>, <see cref="RecentPosts"/> and <see cref="RecentVerdicts"/>: what the grain has
/// applied, so a redelivered event, a repeated screen call or a redelivered verdict changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AccountState
{
    public const int CurrentV = 2;

    [Id(0)]
    public int V { get; init; } = CurrentV;

    [Id(1)]
    public long Posts { get; init; }

    [Id(2)]
    public long Violations { get; init; }

    [Id(3)]
    public int Strikes { get; init; }

    [Id(4)]
    public string Status { get; init; } = AccountStatus.None;

    [Id(5)]
    public DateTimeOffset? SanctionUntil { get; init; }

    [Id(6)]
    public double[] Risk { get; init; } = new double[Cluster.Screening.Categories.Count];

    [Id(7)]
    public DateTimeOffset? RiskUpdatedAt { get; init; }

    [Id(8)]
    public Dictionary<string, long> CategoryHits { get; init; } = [];

    [Id(9)]
    public AccountMeta? Meta { get; init; }

    [Id(10)]
    public DateTimeOffset? LastPostAt { get; init; }

    /// <summary>
    /// The sequence token of the last "posts" stream event applied. Events of one stream come from one queue in
    /// sequence order, so an event at or below it is a redelivery.
    /// </summary>
    [Id(11)]
    public long LastSeq { get; init; }

    /// <summary>The most recent (post id, version) pairs applied, newest last, at most <see cref="AppliedMarks.MaxPosts"/>.</summary>
    public string[] RecentPosts { get => _recentPosts; init => _recentPosts = value ?? []; }

    /// <summary>Review item ids whose verdict was applied, newest last, at most <see cref="AppliedMarks.MaxVerdicts"/>.</summary>
    public string[] RecentVerdicts { get => _recentVerdicts; init => _recentVerdicts = value ?? []; }

    // Source-generated JSON sets init-only properties in one object initializer, a missing one as null: a V1 row has
    // no marks, and they read as empty here.
    [Id(12)]
    private readonly string[] _recentPosts = [];

    [Id(13)]
    private readonly string[] _recentVerdicts = [];
}
