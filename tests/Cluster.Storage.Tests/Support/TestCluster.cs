using Cluster.Storage.Hosting;
using Cluster.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Cluster.Storage.Tests.Support;

/// <summary>An InProcessTestCluster whose silos use the SQLite providers on one file.</summary>
public static class TestCluster
{
    public const string Provider = "sqlite";
    public const string Namespace = "posts";

    public static async Task<InProcessTestCluster> StartAsync(string databasePath, short silos = 1, Action<SqliteStreamOptions>? streams = null,
        TimeSpan? maxEventDeliveryTime = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteStreams(Provider, o =>
            {
                o.DatabasePath = databasePath;
                streams?.Invoke(o);
            }, s =>
            {
                if (maxEventDeliveryTime is { } max)
                {
                    s.ConfigurePullingAgent(ob => ob.Configure(p => p.MaxEventDeliveryTime = max));
                }
            });
            silo.AddSqliteGrainStorage(Provider, o => o.DatabasePath = databasePath);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static SqliteQueueWriter Writer(InProcessTestCluster cluster) =>
        cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<SqliteQueueWriter>(Provider);

    /// <summary>Appends <paramref name="perStream"/> events to each of the probe's streams, <paramref name="chunk"/> streams' worth per transaction.</summary>
    public static async Task AppendAllAsync(SqliteQueueWriter writer, TestProbe probe, int firstEvent = 0, int perStream = -1)
    {
        perStream = perStream < 0 ? probe.PerStream : perStream;
        for (var n = firstEvent; n < firstEvent + perStream; n += 10)
        {
            var items = new List<(StreamId, object[])>();
            for (var s = 0; s < probe.Streams; s++)
            {
                var events = Enumerable.Range(n, Math.Min(10, firstEvent + perStream - n)).Select(i => (object)new TestEvent(i)).ToArray();
                items.Add((StreamId.Create(Namespace, probe.Key(s)), events));
            }
            await writer.AppendAsync(items);
        }
    }

    public static long CountRows(string databasePath, string? where = null)
    {
        using var c = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM stream_message {(where is null ? "" : "WHERE " + where)}";
        return (long)cmd.ExecuteScalar()!;
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
