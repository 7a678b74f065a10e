namespace Cluster.Grains;

/// <summary>
/// The key of the domain's clock in DI (<c>[FromKeyedServices(ClusterClock.Key)] TimeProvider</c>): decision times,
/// leases, flood windows, background passes. Orleans takes the unkeyed TimeProvider for its own timers, so a test can
/// drive the domain with a fake clock while the runtime's timers (stream polling, collection, membership) keep real time.
/// </summary>
public static class ClusterClock
{
    public const string Key = "cluster";
}
