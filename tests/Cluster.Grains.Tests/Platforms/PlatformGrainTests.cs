using Cluster.Grains.Platforms;
using Cluster.Grains.Tests.Support;

namespace Cluster.Grains.Tests.Platforms;

public sealed class PlatformGrainTests
{
    [Fact]
    public async Task Decisions_reach_the_platform_grain_as_per_silo_deltas_not_one_call_per_post()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var posts = Enumerable.Range(0, 30)
            .Select(i => i % 3 == 0 ? GrainCluster.Post($"u-{i % 5}", $"p-{i}", GrainCluster.Fraud(0.9)) : GrainCluster.Post($"u-{i % 5}", $"p-{i}"))
            .ToArray();
        await cluster.IngestAsync(posts);
        var platform = cluster.Grains.GetGrain<IPlatformGrain>("demo");

        await GrainCluster.Until(async () => (await platform.GetTotalsAsync()).Actions.Values.Sum() == 30,
            async () => $"platform totals: {string.Join(", ", (await platform.GetTotalsAsync()).Actions)}");

        var totals = await platform.GetTotalsAsync();
        Assert.Equal(10, totals.Actions["machine:block"]);
        Assert.Equal(20, totals.Actions["machine:allow"]);
        Assert.Equal(10, totals.Categories["fraud"]);
    }

    [Fact]
    public async Task A_policy_version_older_than_the_one_held_is_ignored()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var platform = cluster.Grains.GetGrain<IPlatformGrain>("demo");

        await platform.SetPolicyAsync(new PlatformPolicyRecord(2, new Dictionary<string, Threshold> { ["fraud"] = new(0.3, 0.6) }));
        await platform.SetPolicyAsync(new PlatformPolicyRecord(1, new Dictionary<string, Threshold> { ["fraud"] = new(0.5, 0.9) }));

        var policy = (await platform.GetPolicyAsync())!;
        Assert.Equal(2, policy.Version);
        Assert.Equal(new Threshold(0.3, 0.6), policy.Thresholds["fraud"]);
    }
}
