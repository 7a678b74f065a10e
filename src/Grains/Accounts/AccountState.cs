namespace Cluster.Grains.Accounts;

/// <summary>
/// An account's persisted state. <see cref="Risk"/> is indexed by <c>Category</c> and decays with a half-life,
/// so an account that stops offending recovers. V is the shape version for rolling upgrades.
/// </summary>
public sealed record AccountState
{
    public int V { get; init; } = 1;

    public long Posts { get; init; }

    public long Violations { get; init; }

    public int Strikes { get; init; }

    public string Status { get; init; } = AccountStatus.None;

    public DateTimeOffset? SanctionUntil { get; init; }

    public double[] Risk { get; init; } = new double[Cluster.Screening.Categories.Count];

    public DateTimeOffset? RiskUpdatedAt { get; init; }

    public Dictionary<string, long> CategoryHits { get; init; } = [];

    public AccountMeta? Meta { get; init; }

    public DateTimeOffset? LastPostAt { get; init; }
}
