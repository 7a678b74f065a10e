using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Cluster.Storage.Tests.Support;

/// <summary>An InProcessTestCluster whose silos use one backend's providers on one database.</summary>
internal static class TestCluster
{
    public const string Provider = "contract";
    public const string Namespace = "posts";

    public static async Task<InProcessTestCluster> StartAsync(Backend backend, short silos = 1, TimeSpan? retention = null,
        TimeSpan? maxEventDeliveryTime = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            // Cluster.Storage references Cluster.Grains, whose AccountGrain also subscribes to "posts": these silos run
            // the contract's test grain alone.
            silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(t => t.Assembly == typeof(Cluster.Grains.ClusterClock).Assembly));
            backend.AddProviders(silo, retention ?? TimeSpan.Zero, s =>
            {
                if (maxEventDeliveryTime is { } max)
                {
                    s.ConfigurePullingAgent(ob => ob.Configure(p => p.MaxEventDeliveryTime = max));
                }
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Appends <paramref name="perStream"/> events to each of the probe's streams, ten per stream per transaction.</summary>
    public static async Task AppendAllAsync(Backend backend, InProcessTestCluster cluster, TestProbe probe, int firstEvent = 0, int perStream = -1)
    {
        perStream = perStream < 0 ? probe.PerStream : perStream;
        var silo = cluster.Silos[0].ServiceProvider;
        for (var n = firstEvent; n < firstEvent + perStream; n += 10)
        {
            var items = new List<(StreamId, object[])>();
            for (var s = 0; s < probe.Streams; s++)
            {
                var events = Enumerable.Range(n, Math.Min(10, firstEvent + perStream - n)).Select(i => (object)new TestEvent(i)).ToArray();
                items.Add((StreamId.Create(Namespace, probe.Key(s)), events));
            }
            await backend.AppendAsync(silo, items);
        }
    }

    public static async Task<T> Within<T>(Task<T> task, TimeSpan limit, Func<string> describe) =>
        await Within((Task)task, limit, describe).ContinueWith(_ => task.Result, TaskScheduler.Default);

    public static async Task Within(Task task, TimeSpan limit, Func<string> describe)
    {
        var done = await Task.WhenAny(task, Task.Delay(limit));
        Assert.True(done == task, $"not done within {limit.TotalSeconds} s: {describe()}");
        await task;
    }

    /// <summary>
    /// Bounded wait for a condition that no callback announces (rows deleted by the pulling agent's next purge).
    /// </summary>
    public static async Task Until(Func<bool> condition, TimeSpan limit, Func<string> describe)
    {
        var end = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < end, $"not true within {limit.TotalSeconds} s: {describe()}");
            await Task.Delay(50);
        }
    }
}
