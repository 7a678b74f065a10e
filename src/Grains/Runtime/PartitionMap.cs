namespace Cluster.Grains.Runtime;

/// <summary>Places grains on partitions. P is fixed per deployment: changing it moves every grain.</summary>
public sealed class PartitionMap(int count)
{
    public int Count { get; } = count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), "Partition count must be positive.");

    public PartitionId Of(GrainId id) => StableHash.Partition(id.Type, id.Key, Count);
}
