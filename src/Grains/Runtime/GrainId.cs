namespace Cluster.Grains.Runtime;

/// <summary>A virtual actor's identity: its type and a key that is unique within the type.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
