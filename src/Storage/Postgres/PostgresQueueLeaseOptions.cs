namespace Cluster.Storage.Postgres;

/// <summary>
/// How the queues of a PostgreSQL stream provider (<c>AddPostgresStreams</c>) are leased to silos by Orleans'
/// lease-based queue balancer over <see cref="PostgresLeaseProvider"/>; named by the provider. The defaults are for one
/// machine or a local test cluster, sized to the design's 2 s failover: a SIGKILLed silo's leases run out 1–1.5 s after
/// the kill (its last renewal plus <see cref="LeaseLength"/>) and a survivor takes each within one
/// <see cref="LeaseAcquisitionPeriod"/> after that, once membership has declared the silo dead (1.1–1.6 s with the
/// one-machine probe settings); the tests measured 1.2–2.0 s from kill to every queue read again. docs/storage.md
/// gives the trade-off and the settings for real networks.
/// </summary>
public sealed class PostgresQueueLeaseOptions
{
    /// <summary>
    /// How long a queue stays leased to a silo that stopped renewing: with membership's death declaration, what bounds
    /// how long a crashed silo's queues go unread. Also how long a silo may stall (GC pause, slow database) before a
    /// silo short of its share may take its queues.
    /// </summary>
    public TimeSpan LeaseLength { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How often a silo renews all its leases (one statement); at most half of <see cref="LeaseLength"/>.</summary>
    public TimeSpan LeaseRenewPeriod { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often a silo that holds fewer queues than its share tries to lease more (the balancer stops trying once it
    /// holds its share). After a crash, the delay between a lease running out and a survivor taking it.
    /// </summary>
    public TimeSpan LeaseAcquisitionPeriod { get; set; } = TimeSpan.FromMilliseconds(250);
}
