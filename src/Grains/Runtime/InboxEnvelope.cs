namespace Cluster.Grains.Runtime;

/// <summary>An inbox message as read back, with the sequence number the partition gave it.</summary>
public sealed record InboxEnvelope(PartitionId Partition, long Seq, InboxMessage Message, DateTimeOffset EnqueuedAt);
