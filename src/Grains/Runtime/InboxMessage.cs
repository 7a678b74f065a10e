namespace Cluster.Grains.Runtime;

/// <summary>A message appended to a partition's inbox, addressed to one grain. The payload is JSON owned by the grain type.</summary>
public sealed record InboxMessage(GrainId Target, string Kind, string Payload);
