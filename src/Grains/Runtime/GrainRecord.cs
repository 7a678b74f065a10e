namespace Cluster.Grains.Runtime;

/// <summary>A grain's persisted state with the last inbox sequence it applied (what makes replay harmless).</summary>
public sealed record GrainRecord(GrainId Id, PartitionId Partition, long LastAppliedSeq, string State);
