using System.Net;
using Cluster.Grains.Platforms;
using Cluster.Grains.Review;
using Cluster.Grains.Storage;
using Cluster.Grains.Streams;
using Cluster.Silo.Decisions;
using Cluster.Silo.Operations;
using Cluster.Storage.Hosting;
using Cluster.Storage.Postgres;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Sqlite;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Cluster.Silo.Hosting;

/// <summary>
/// The Orleans silo, in one of two modes chosen by configuration only. Embedded (the default): one silo, localhost
/// clustering, and every durable thing (stream queues, grain state, facts) in one SQLite file,
/// &lt;Silo:DataDir&gt;/cluster.db, behind one writer thread. Cluster mode, when <c>ConnectionStrings:Cluster</c> holds
/// an Npgsql connection string: membership, the "posts" stream, grain state and facts in that PostgreSQL database, so
/// any number of silos started with it form one cluster (Orleans' Kubernetes hosting as well, inside a pod). With
/// <c>ConnectionStrings:AzureStorage</c> as well, Orleans' own Azure Storage providers instead (<see cref="AzureSetup"/>).
/// </summary>
internal static class OrleansSetup
{
    /// <summary>The file every provider and the facts store share (one writer: two on one SQLite file would fight over its lock).</summary>
    public const string DatabaseFile = "cluster.db";

    /// <summary>The connection string name (<c>ConnectionStrings:Cluster</c>, env <c>ConnectionStrings__Cluster</c>) that selects cluster mode.</summary>
    public const string ClusterConnectionString = "Cluster";

    /// <summary>Set in every Kubernetes pod (the API server's address), never elsewhere in practice.</summary>
    internal const string KubernetesServiceHost = "KUBERNETES_SERVICE_HOST";

    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var silo = OptionsSetup.Bind<SiloOptions>(configuration, "Silo", o => o.Validate());
        var orleans = OptionsSetup.Bind<OrleansOptions>(configuration, "Orleans", o => o.Validate());
        var storage = OptionsSetup.Bind<StorageOptions>(configuration, "Storage", o => o.Validate());
        var cluster = configuration.GetConnectionString(ClusterConnectionString);
        var azure = configuration.GetConnectionString(AzureSetup.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(azure))
        {
            builder.AddAzureStore(azure, cluster, silo, orleans);
        }
        else if (string.IsNullOrWhiteSpace(cluster))
        {
            builder.AddEmbeddedStore(silo, orleans, storage);
        }
        else
        {
            builder.AddClusterStore(cluster, silo, orleans, storage);
        }
        // Hosted services stop in reverse order: ingest and the group commit first (registered later), then the redelivery,
        // then the drain of the queues, then the last aggregate flush, then the Orleans silo (registered first).
        builder.Services.AddSingleton<PlatformAggregator>();
        builder.Services.AddHostedService<PlatformAggregateFlusher>();
        builder.Services.AddHostedService<StreamDrain>();
        builder.Services.AddHostedService<VerdictRedelivery>();
        builder.Services.AddSingleton<PlatformPolicies>();
        return builder;
    }

    private static void AddEmbeddedStore(this WebApplicationBuilder builder, SiloOptions silo, OrleansOptions orleans, StorageOptions storage)
    {
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
            s.ConfigureSilo(silo, orleans);
            s.AddSqliteStreams(PostStreams.Provider, o =>
            {
                o.DatabasePath = database;
                o.QueueCount = orleans.Queues;
                o.Retention = storage.InboxRetention;
                o.PruneBatchSize = storage.PruneBatch;
            }, stream => stream.ConfigurePullingAgent(agent => agent.Configure(ConfigurePolling)));
            s.AddSqliteGrainStorage(PostStreams.Storage, o =>
            {
                o.DatabasePath = database;
                o.GrainStorageSerializer = new GrainStateJson();
            });
        });
        builder.Services.AddSqliteFacts(database, PostStreams.Provider);
    }

    /// <summary>
    /// Cluster mode: every provider and the facts store on one connection string, so they share one
    /// <see cref="PostgresDatabase"/> (pool and writers). The data directory still holds a generated admin token when
    /// <c>Auth:AdminToken</c> is not set; give every silo the same Auth:AdminToken instead.
    /// </summary>
    private static void AddClusterStore(this WebApplicationBuilder builder, string connectionString, SiloOptions silo, OrleansOptions orleans,
        StorageOptions storage)
    {
        PostgresConnectionStrings.Validate(connectionString, $"ConnectionStrings:{ClusterConnectionString}");
        var kubernetes = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(KubernetesServiceHost));
        // Registered before the providers' TryAdd, as for the embedded store: the log names the database (never the password).
        builder.Services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<PostgresDatabases>>();
            SiloLog.DataDirectory(logger, DataDirectory.Prepare(silo.DataDir, logger));
            var databases = new PostgresDatabases();
            SiloLog.ClusterStore(logger, databases.Get(connectionString).Name, kubernetes);
            return databases;
        });
        builder.UseOrleans(s =>
        {
            s.ConfigureClusterSilo(silo, orleans, kubernetes);
            s.UsePostgresClustering(o => o.ConnectionString = connectionString);
            s.AddPostgresStreams(PostStreams.Provider, o =>
            {
                o.ConnectionString = connectionString;
                o.QueueCount = orleans.Queues;
                o.Retention = storage.InboxRetention;
                o.PruneBatchSize = storage.PruneBatch;
            }, stream => stream.ConfigurePullingAgent(agent => agent.Configure(ConfigurePolling)), orleans.ConfigureLeases);
            s.AddPostgresGrainStorage(PostStreams.Storage, o =>
            {
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new GrainStateJson();
            });
        });
        builder.Services.AddPostgresFacts(connectionString, PostStreams.Provider);
        builder.Services.AddStoreReadiness(connectionString);
        builder.Services.AddFeedListener(connectionString);
    }

    /// <summary>In cluster and Azure Storage modes /readyz also needs the PostgreSQL database to answer.</summary>
    internal static void AddStoreReadiness(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(sp => StoreReadiness.Create(sp, connectionString));
        services.AddHostedService(sp => sp.GetRequiredService<StoreReadiness>());
    }

    /// <summary>
    /// The facts database's notifications: feed readers of this silo wake for decisions any silo stores, and policies,
    /// lexicons and rumors any silo stores are reloaded here at once.
    /// </summary>
    internal static void AddFeedListener(this IServiceCollection services, string connectionString) =>
        services.AddHostedService(sp =>
        {
            var signal = sp.GetRequiredService<FeedSignal>();
            return new PostgresFeedListener(sp.GetRequiredService<PostgresDatabases>().Get(connectionString), signal.Wake, signal.WakeAll,
                sp.GetRequiredService<Admin.AdminChangeSignal>().Raise, TimeProvider.System, sp.GetRequiredService<ILogger<PostgresFeedListener>>());
        });

    /// <summary>
    /// What the multi-silo modes (cluster and Azure Storage) set besides <see cref="ConfigureSilo"/>: the cluster and
    /// service ids and the endpoints. In a pod, Orleans' Kubernetes hosting (configured after ConfigureSilo, so its options
    /// win: the silo name must be the pod's, its validator checks) advertises the pod IP, names the silo after the pod,
    /// takes the ids from the pod's labels (ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID) and declares a deleted pod's silo
    /// dead at once. Elsewhere the silo listens where it advertises (Orleans:AdvertisedAddress), or on its host's address.
    /// </summary>
    internal static void ConfigureClusterSilo(this ISiloBuilder s, SiloOptions silo, OrleansOptions orleans, bool kubernetes)
    {
        s.ConfigureSilo(silo, orleans);
        s.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        if (kubernetes)
        {
            s.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = orleans.SiloPort;
                o.GatewayPort = orleans.GatewayPort;
            });
            s.UseKubernetesHosting();
        }
        else if (orleans.AdvertisedAddress.Length > 0)
        {
            // Listening where it advertises: other silos connect there, and nothing else binds the ports.
            s.ConfigureEndpoints(IPAddress.Parse(orleans.AdvertisedAddress), orleans.SiloPort, orleans.GatewayPort);
        }
        else
        {
            s.ConfigureEndpoints(orleans.SiloPort, orleans.GatewayPort);
        }
    }

    /// <summary>
    /// What every mode sets on the silo: its name (a pod's name wins under Kubernetes hosting), collection, failure
    /// detection (Orleans:ProbeTimeout, Orleans:MissedProbesLimit; Orleans' defaults unless set), the dashboard.
    /// </summary>
    internal static void ConfigureSilo(this ISiloBuilder s, SiloOptions silo, OrleansOptions orleans)
    {
        s.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = silo.Name);
        s.Configure<GrainCollectionOptions>(o => o.CollectionAge = orleans.IdleTimeout);
        s.Configure<ClusterMembershipOptions>(orleans.ConfigureFailureDetection);
        s.AddDashboard();
    }

    /// <summary>Poll an empty queue every 50 ms (Orleans' default is 100): the 202-to-decision latency of a quiet silo.</summary>
    private static void ConfigurePolling(StreamPullingAgentOptions p) => p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(50);
}
