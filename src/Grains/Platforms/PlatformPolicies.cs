using System.Collections.Concurrent;
using System.Text.Json;
using Cluster.Grains.Storage;

namespace Cluster.Grains.Platforms;

/// <summary>The current policy of every platform, as immutable snapshots swapped on update.</summary>
public sealed class PlatformPolicies
{
    private readonly ConcurrentDictionary<string, PlatformPolicy> _policies = new(StringComparer.Ordinal);

    public PlatformPolicy Get(string platform) => _policies.TryGetValue(platform, out var p) ? p : PlatformPolicy.Default;

    public void Set(string platform, PlatformPolicy policy) =>
        _policies.AddOrUpdate(platform, policy, (_, old) => policy.Version >= old.Version ? policy : old);

    public async Task LoadAsync(IAdminStore store, CancellationToken cancellationToken)
    {
        foreach (var (platform, version, body) in await store.AllPoliciesAsync(cancellationToken))
        {
            Set(platform, new PlatformPolicy(version, Deserialize(body)));
        }
    }

    public static string Serialize(IReadOnlyDictionary<string, Threshold> thresholds) =>
        JsonSerializer.Serialize(new Dictionary<string, Threshold>(thresholds), GrainsJson.Default.DictionaryStringThreshold);

    public static Dictionary<string, Threshold> Deserialize(string body) =>
        JsonSerializer.Deserialize(body, GrainsJson.Default.DictionaryStringThreshold) ?? [];
}
