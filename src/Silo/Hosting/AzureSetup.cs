using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Storage;
using Cluster.Grains.Streams;
using Cluster.Ingest.Posts;
using Cluster.Silo.Decisions;
using Cluster.Storage.Hosting;
using Cluster.Storage.Postgres;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Streams;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Silo.Hosting;

/// <summary>
/// Azure Storage mode, when <c>ConnectionStrings:AzureStorage</c> is set beside <c>ConnectionStrings:Cluster</c>:
/// Orleans' own Azure providers for what Orleans keeps (membership in an Azure table, the "posts" stream on Azure
/// queues, grain state in Azure blobs), PostgreSQL for the facts (posts, decisions, review items, admin) as in cluster
/// mode. Every name in the account starts with the service id (Orleans:ServiceId, in a pod ORLEANS_SERVICE_ID), so
/// deployments can share an account: queues <c>{service}-posts-{n}</c>, the container <c>{service}-grainstate</c>;
/// membership rows are keyed by the cluster id in Orleans' table <c>OrleansSiloInstances</c>.
/// </summary>
internal static partial class AzureSetup
{
    /// <summary>The connection string name (<c>ConnectionStrings:AzureStorage</c>, env <c>ConnectionStrings__AzureStorage</c>).</summary>
    public const string ConnectionStringName = "AzureStorage";

    /// <summary>Blob storage rather than table storage for grain state: docs/architecture.md, "Azure Storage mode".</summary>
    public const string GrainStateContainerSuffix = "-grainstate";

    public static void AddAzureStore(this WebApplicationBuilder builder, string connectionString, string? cluster, SiloOptions silo,
        OrleansOptions orleans)
    {
        var key = $"ConnectionStrings:{ConnectionStringName}";
        if (string.IsNullOrWhiteSpace(cluster))
        {
            throw new InvalidOperationException(
                $"Invalid configuration: {key} needs ConnectionStrings:{OrleansSetup.ClusterConnectionString} as well: the facts (posts, decisions, review items) are kept in PostgreSQL.");
        }
        PostgresConnectionStrings.Validate(cluster, $"ConnectionStrings:{OrleansSetup.ClusterConnectionString}");
        var azure = OptionsSetup.Bind<AzureStorageOptions>(builder.Configuration, "AzureStorage", o => o.Validate());
        var (tables, blobs, queues) = Clients(connectionString, key);
        var kubernetes = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OrleansSetup.KubernetesServiceHost));
        if (!kubernetes)
        {
            // Checked again where the names are made: in a pod Kubernetes hosting replaces the id with the pod label's.
            Checked(orleans.ServiceId);
        }

        builder.Services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<PostgresDatabases>>();
            SiloLog.DataDirectory(logger, DataDirectory.Prepare(silo.DataDir, logger));
            var databases = new PostgresDatabases();
            SiloLog.AzureStore(logger, queues.AccountName, databases.Get(cluster).Name, kubernetes);
            return databases;
        });
        builder.UseOrleans(s =>
        {
            s.ConfigureClusterSilo(silo, orleans, kubernetes);
            s.UseAzureStorageClustering(o => o.TableServiceClient = tables);
            s.AddAzureQueueStreams(PostStreams.Provider, (SiloAzureQueueStreamConfigurator stream) =>
            {
                stream.ConfigureAzureQueue(ob => ob.Configure<IOptions<ClusterOptions>>((o, ids) =>
                {
                    o.QueueServiceClient = queues;
                    o.QueueNames = QueueNames(ids.Value.ServiceId, orleans.Queues);
                    o.MessageVisibilityTimeout = azure.VisibilityTimeout;
                }));
                // Implicit subscriptions only, as the other modes: no pub-sub grain and no storage for it.
                stream.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            });
            s.AddAzureBlobGrainStorage(PostStreams.Storage, ob => ob.Configure<IOptions<ClusterOptions>>((o, ids) =>
            {
                o.BlobServiceClient = blobs;
                o.ContainerName = Checked(ids.Value.ServiceId) + GrainStateContainerSuffix;
                o.GrainStorageSerializer = new GrainStateJson();
            }));
        });

        var services = builder.Services;
        // The queue tokens start at 0 again with every receiver: the AccountGrain dedupes by its post marks alone.
        services.Configure<PostStreamOptions>(o => o.DurableTokens = false);
        // The facts store appends stream rows in its transaction through a queue writer; here it is never given an event
        // (StreamProducingPostStore strips them and produces them to the Azure queues), so the writer only names the
        // queue count the posts table's queue column is computed with.
        services.AddKeyedSingleton(PostStreams.Provider, (sp, _) => new PostgresQueueWriter(PostStreams.Provider,
            sp.GetRequiredService<PostgresDatabases>().Get(cluster), new StreamQueueMapper(PostStreams.Provider, orleans.Queues),
            sp.GetRequiredService<Serializer>(), TimeProvider.System));
        services.AddPostgresFacts(cluster, PostStreams.Provider);
        // Registered after AddPostgresFacts: these win over its IPostStore and IQueueBacklog.
        services.AddSingleton<IPostStore>(sp => new StreamProducingPostStore(
            sp.GetRequiredService<PostgresFactsStore>(), sp.GetRequiredService<IDecisionStore>(),
            () => sp.GetRequiredService<IClusterClient>().GetStreamProvider(PostStreams.Provider),
            sp.GetRequiredService<ILogger<StreamProducingPostStore>>()));
        services.AddSingleton<IQueueBacklog>(sp => new AzureQueueBacklog(queues,
            QueueNames(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, orleans.Queues)));
        services.AddStoreReadiness(cluster);
        services.AddFeedListener(cluster);
    }

    /// <summary>The "posts" stream's queues in the account, one per Orleans queue: <c>{service}-posts-{n}</c>.</summary>
    public static List<string> QueueNames(string serviceId, int count) =>
        Enumerable.Range(0, count).Select(n => $"{Checked(serviceId)}-{PostStreams.Provider}-{n}").ToList();

    /// <summary>
    /// One client per service for the silo's lifetime (each keeps its own connection pool). A string the SDK cannot
    /// parse stops the silo naming the key; its message is not passed on, since it could quote the account key.
    /// </summary>
    private static (TableServiceClient, BlobServiceClient, QueueServiceClient) Clients(string connectionString, string key)
    {
        try
        {
            return (new TableServiceClient(connectionString), new BlobServiceClient(connectionString), new QueueServiceClient(connectionString));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Invalid configuration: {key} is not an Azure Storage connection string (DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…, or with BlobEndpoint, QueueEndpoint and TableEndpoint).");
        }
    }

    /// <summary>The service id as Azure allows it in queue and container names (lowercase letters, digits, single hyphens, 63 characters at most).</summary>
    private static string Checked(string serviceId) =>
        serviceId.Length <= 52 && AzureName().IsMatch(serviceId)
            ? serviceId
            : throw new InvalidOperationException(
                $"Invalid configuration: Orleans:ServiceId (in a pod ORLEANS_SERVICE_ID) '{serviceId}' must be at most 52 lowercase letters, digits and single hyphens in Azure Storage mode: it names the queues and the grain state container.");

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex AzureName();
}
