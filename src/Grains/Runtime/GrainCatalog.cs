namespace Cluster.Grains.Runtime;

/// <summary>Knows how to activate each grain type from its persisted state (null on first activation).</summary>
public sealed class GrainCatalog
{
    private readonly Dictionary<string, Func<GrainId, string?, Grain>> _factories = new(StringComparer.Ordinal);

    public GrainCatalog Register(string type, Func<GrainId, string?, Grain> factory)
    {
        _factories.Add(type, factory);
        return this;
    }

    public Grain Activate(GrainId id, string? state) =>
        _factories.TryGetValue(id.Type, out var factory)
            ? factory(id, state)
            : throw new InvalidOperationException($"No grain type '{id.Type}' is registered.");
}
