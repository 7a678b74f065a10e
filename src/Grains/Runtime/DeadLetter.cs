namespace Cluster.Grains.Runtime;

/// <summary>An inbox message whose turn threw; it is skipped (never applied) and kept for an operator to inspect.</summary>
public sealed record DeadLetter(PartitionId Partition, long Seq, GrainId Target, string Error);
