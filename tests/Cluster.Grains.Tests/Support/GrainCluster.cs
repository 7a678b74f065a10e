using Cluster.Grains;
using Cluster.Grains.Accounts;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Storage;
using Cluster.Grains.Streams;
using Cluster.Storage.Hosting;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Sqlite.Facts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Cluster.Grains.Tests.Support;

/// <summary>
/// An InProcessTestCluster wired as the silo wires itself: the SQLite stream provider, grain storage and facts store on
/// one file, the grains of Cluster.Grains. Posts go in through the facts store's group commit, as ingest sends them.
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private GrainCluster(InProcessTestCluster cluster, string directory, string database, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        Cluster = cluster;
        Directory = directory;
        Database = database;
    }

    public InProcessTestCluster Cluster { get; }

    public string Directory { get; }

    public string Database { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Starts silos on <paramref name="directory"/> (kept afterwards, for a restart) or on a fresh one (deleted on dispose).</summary>
    /// <param name="maxDeliveryTime">Orleans' MaxEventDeliveryTime: how long a failing delivery is retried before the agent passes over it.</param>
    public static async Task<GrainCluster> StartAsync(short silos = 1, string? directory = null, TimeSpan? retention = null, TimeSpan? maxDeliveryTime = null)
    {
        var owns = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "cluster-grains-tests", Guid.NewGuid().ToString("N"));
        var database = Path.Combine(directory, "cluster.db");
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteStreams(PostStreams.Provider, o =>
            {
                o.DatabasePath = database;
                o.QueueCount = 8;
                o.Retention = retention ?? TimeSpan.Zero;
            }, stream => stream.ConfigurePullingAgent(agent => agent.Configure(o =>
            {
                if (maxDeliveryTime is { } max)
                {
                    o.MaxEventDeliveryTime = max;
                }
            })));
            silo.AddSqliteGrainStorage(PostStreams.Storage, o =>
            {
                o.DatabasePath = database;
                o.GrainStorageSerializer = new GrainStateJson();
            });
            silo.Services.AddSqliteFacts(database, PostStreams.Provider);
            silo.Services.AddKeyedSingleton(ClusterClock.Key, TimeProvider.System);
            silo.Services.AddSingleton<PlatformPolicies>();
            silo.Services.AddSingleton<PlatformAggregator>();
            silo.Services.AddHostedService<PlatformAggregateFlusher>();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainCluster(cluster, directory, database, owns);
    }

    /// <summary>The facts store of the first silo (the silos share the file).</summary>
    public SqliteFactsStore Facts => Cluster.Silos[0].ServiceProvider.GetRequiredService<SqliteFactsStore>();

    public SqliteQueueWriter QueueWriter => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<SqliteQueueWriter>(PostStreams.Provider);

    public IAccountGrain Account(string platform, string account) => Grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(platform, account));

    /// <summary>Stores posts and produces them into the stream in one transaction, as POST /v1/posts does.</summary>
    public Task<AppendOutcome[]> IngestAsync(params PostSubmitted[] posts) =>
        Facts.AppendPostsAsync(posts.Select(p => new PostAppend(
            new PostRecord(p.Platform, p.PostId, p.Account, p.Kind, "text of " + p.PostId + " v" + p.Version, null, p.ReceivedAt,
                ContentHash.Of(p.Kind, "text of " + p.PostId + " v" + p.Version), 1),
            p, Enqueue: true)).ToList(), CancellationToken.None);

    public static PostSubmitted Post(string account, string postId, params PostFinding[] findings) =>
        new(PostSubmitted.CurrentV, "demo", postId, account, "post", DateTimeOffset.UtcNow, null, findings);

    public static PostFinding Fraud(double weight) => new("fraud", weight, 0, 2, "xx", "lexicon:test@1");

    public long Scalar(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Database};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Execute(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Database};Pooling=False;Default Timeout=30");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Bounded wait for asynchronous delivery, with what was missing in the failure message.</summary>
    public static async Task Until(Func<Task<bool>> condition, Func<Task<string>> describe, int seconds = 60)
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < end, $"not true within {seconds} s: {await describe()}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            Delete(Directory);
        }
    }

    public static void Delete(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
