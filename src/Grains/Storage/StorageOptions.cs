namespace Cluster.Grains.Storage;

/// <summary>Embedded store housekeeping ("Storage" section).</summary>
public sealed class StorageOptions
{
    /// <summary>
    /// How long an applied inbox message is kept before it is pruned (Storage:InboxRetention); 0 prunes as soon as
    /// it is applied. Only messages at or below their partition's checkpoint are ever pruned.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Pause between pruning passes over every partition (Storage:PruneInterval).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most inbox rows one pruning write deletes (Storage:PruneBatch). Each batch is one request on the single writer,
    /// so this bounds what a pass adds to any one commit (2000 rows: a few milliseconds).
    /// </summary>
    public int PruneBatch { get; set; } = 2000;

    public string? Validate() =>
        InboxRetention < TimeSpan.Zero || InboxRetention > TimeSpan.FromDays(3650) ? "Storage:InboxRetention must be between 0 (prune once applied) and 3650 days." :
        PruneInterval <= TimeSpan.Zero ? "Storage:PruneInterval must be positive." :
        PruneBatch is < 1 or > 100_000 ? "Storage:PruneBatch must be between 1 and 100000." : null;
}
