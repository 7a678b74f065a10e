using Cluster.Grains.Streams;

namespace Cluster.Grains.Platforms;

/// <summary>
/// A platform's policy versions and merged aggregates. Nothing on the per-post path calls it: AccountGrains read policy
/// from the silo's <see cref="PlatformPolicies"/> snapshot and count into the silo's <see cref="PlatformAggregator"/>,
/// which sends one delta per platform per second, so a platform's load on this grain is one call per silo per second.
/// </summary>
[GrainType(PlatformGrain.GrainTypeName)]
public sealed class PlatformGrain([PersistentState(PlatformGrain.StateName, PostStreams.Storage)] IPersistentState<PlatformTotals> persisted) : Grain, IPlatformGrain
{
    public const string GrainTypeName = "platform";

    public const string StateName = "platform";

    public async Task SetPolicyAsync(PlatformPolicyRecord policy)
    {
        if (persisted.State.Policy is { } held && held.Version >= policy.Version)
        {
            return;
        }
        persisted.State = persisted.State with { Policy = policy };
        await WriteAsync();
    }

    public Task<PlatformPolicyRecord?> GetPolicyAsync() => Task.FromResult(persisted.State.Policy);

    public async Task AddAsync(PlatformDelta delta)
    {
        persisted.State = persisted.State with
        {
            Actions = Merge(persisted.State.Actions, delta.Actions),
            Categories = Merge(persisted.State.Categories, delta.Categories),
        };
        await WriteAsync();
    }

    public Task<PlatformTotals> GetTotalsAsync() => Task.FromResult(persisted.State);

    private async Task WriteAsync()
    {
        try
        {
            await persisted.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle(); // memory is ahead of storage; the next activation reads what is stored
            throw;
        }
    }

    private static Dictionary<string, long> Merge(Dictionary<string, long> into, IReadOnlyDictionary<string, long> add)
    {
        var merged = new Dictionary<string, long>(into, StringComparer.Ordinal);
        foreach (var (key, n) in add)
        {
            merged[key] = merged.GetValueOrDefault(key) + n;
        }
        return merged;
    }
}
