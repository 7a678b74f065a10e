namespace Cluster.Grains.Runtime;

/// <summary>A partition of the inbox. Every grain lives in exactly one partition, fixed by <see cref="StableHash"/>.</summary>
public readonly record struct PartitionId(int Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
