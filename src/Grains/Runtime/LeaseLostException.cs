namespace Cluster.Grains.Runtime;

/// <summary>A flush found that this silo no longer holds the partition at its epoch; nothing was written.</summary>
public sealed class LeaseLostException(PartitionLease lease)
    : Exception($"Lease on partition {lease.Partition} at epoch {lease.Epoch} is no longer held by {lease.Owner}.")
{
    public PartitionLease Lease { get; } = lease;
}
