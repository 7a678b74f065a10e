namespace Cluster.Silo.Hosting;

/// <summary>Embedded store housekeeping ("Storage" section), applied to the "posts" stream provider's queues.</summary>
public sealed class StorageOptions
{
    /// <summary>
    /// How long a stream row is kept after its delivery was acknowledged (the AccountGrain's effects durable)
    /// (Storage:InboxRetention); 0 deletes it with the acknowledgement. Unacknowledged rows are never deleted.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.Zero;

    /// <summary>Most rows one pruning write deletes (Storage:PruneBatch): each is one request on the single writer.</summary>
    public int PruneBatch { get; set; } = 1000;

    public string? Validate() =>
        InboxRetention < TimeSpan.Zero || InboxRetention > TimeSpan.FromDays(3650) ? "Storage:InboxRetention must be between 0 (prune once applied) and 3650 days." :
        PruneBatch is < 1 or > 100_000 ? "Storage:PruneBatch must be between 1 and 100000." : null;
}
