using Cluster.Grains.Platforms;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Cluster.Grains.Streams;
using Cluster.Storage.Hosting;
using Cluster.Storage.Sqlite;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Cluster.Silo.Hosting;

/// <summary>
/// The Orleans silo of the embedded default: one silo, localhost clustering, and every durable thing (stream queues,
/// grain state, facts) in one SQLite file, &lt;Silo:DataDir&gt;/cluster.db, behind one writer thread.
/// </summary>
internal static class OrleansSetup
{
    /// <summary>The file every provider and the facts store share (one writer: two on one SQLite file would fight over its lock).</summary>
    public const string DatabaseFile = "cluster.db";

    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var silo = OptionsSetup.Bind<SiloOptions>(configuration, "Silo", o => o.Validate());
        var orleans = OptionsSetup.Bind<OrleansOptions>(configuration, "Orleans", o => o.Validate());
        var storage = OptionsSetup.Bind<StorageOptions>(configuration, "Storage", o => o.Validate());
        var database = Path.Combine(Path.GetFullPath(silo.DataDir), DatabaseFile);

        // Registered before the providers' TryAdd: the data directory is created 700, or tightened, before any of them
        // opens the file, and the log (the host's) names what was tightened.
        builder.Services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<SqliteDatabases>>();
            var dataDir = DataDirectory.Prepare(silo.DataDir, logger);
            SiloLog.DataDirectory(logger, dataDir);
            SiloLog.Store(logger, database);
            return new SqliteDatabases();
        });
        builder.UseOrleans(s =>
        {
            s.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort);
            s.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = silo.Name);
            s.Configure<GrainCollectionOptions>(o => o.CollectionAge = orleans.IdleTimeout);
            s.AddSqliteStreams(PostStreams.Provider, o =>
            {
                o.DatabasePath = database;
                o.QueueCount = orleans.Queues;
                o.Retention = storage.InboxRetention;
                o.PruneBatchSize = storage.PruneBatch;
            }, stream => stream.ConfigurePullingAgent(agent => agent.Configure(p =>
            {
                // Poll an empty queue every 50 ms (Orleans' default is 100): the 202-to-decision latency of a quiet silo.
                p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(50);
            })));
            s.AddSqliteGrainStorage(PostStreams.Storage, o =>
            {
                o.DatabasePath = database;
                o.GrainStorageSerializer = new GrainStateJson();
            });
            s.AddDashboard();
        });
        // Hosted services stop in reverse order: ingest and the group commit first (registered later), then the redelivery,
        // then the drain of the queues, then the last aggregate flush, then the Orleans silo (registered first).
        builder.Services.AddSingleton<PlatformAggregator>();
        builder.Services.AddHostedService<PlatformAggregateFlusher>();
        builder.Services.AddHostedService<StreamDrain>();
        builder.Services.AddHostedService<VerdictRedelivery>();
        builder.Services.AddSqliteFacts(database, PostStreams.Provider);
        builder.Services.AddSingleton<PlatformPolicies>();
        return builder;
    }
}
