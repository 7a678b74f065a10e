namespace Cluster.Grains.Runtime;

/// <summary>
/// Ownership of one partition. <see cref="Epoch"/> is the fencing token: every flush is checked against it, so a
/// silo that lost the lease (and does not know it yet) cannot write over the new owner's state.
/// </summary>
public sealed record PartitionLease(PartitionId Partition, string Owner, long Epoch);
