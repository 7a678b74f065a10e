using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.LeaseProviders;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streams;

namespace Cluster.Storage.Hosting;

/// <summary>Registers the PostgreSQL providers on a silo: the cluster mode's streams, grain state and membership.</summary>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>
    /// Adds a persistent stream provider over PostgreSQL. Pub-sub defaults to <see cref="StreamPubSubType.ImplicitOnly"/>,
    /// as for SQLite; a caller that wants explicit subscriptions changes it in <paramref name="configureStream"/>.
    /// The queues are spread over the silos by Orleans' <see cref="LeaseBasedQueueBalancer"/> with leases in the same
    /// database (<see cref="PostgresLeaseProvider"/>), timed by <paramref name="configureLeases"/>
    /// (<see cref="PostgresQueueLeaseOptions"/>; the defaults suit one machine, docs/storage.md has the trade-off).
    /// </summary>
    public static ISiloBuilder AddPostgresStreams(this ISiloBuilder builder, string name, Action<PostgresStreamOptions> configureOptions,
        Action<ISiloPersistentStreamConfigurator>? configureStream = null, Action<PostgresQueueLeaseOptions>? configureLeases = null)
    {
        builder.ConfigureServices(services =>
        {
            services.AddOptions<PostgresStreamOptions>(name).Configure(configureOptions);
            services.AddOptions<PostgresQueueLeaseOptions>(name).Configure(configureLeases ?? (_ => { }));
            services.TryAddSingleton<PostgresDatabases>();
            services.AddSingleton<IConfigurationValidator>(sp => PostgresStreamOptionsValidator.Create(sp, name));
            services.AddSingleton<IConfigurationValidator>(sp => PostgresQueueLeaseOptionsValidator.Create(sp, name));
            // LeaseBasedQueueBalancer.Create looks for the lease provider keyed by the stream provider's name first.
            services.AddKeyedSingleton<ILeaseProvider>(name, (sp, _) => PostgresLeaseProvider.Create(sp, name));
            services.AddKeyedSingleton(name, (sp, _) =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<PostgresStreamOptions>>().Get(name);
                return new PostgresQueueWriter(name, sp.GetRequiredService<PostgresDatabases>().Get(options.ConnectionString),
                    new StreamQueueMapper(name, options.QueueCount), sp.GetRequiredService<Serializer>(),
                    sp.GetService<TimeProvider>() ?? TimeProvider.System);
            });
        });
        var configurator = new SiloPersistentStreamConfigurator(name, configure => builder.ConfigureServices(configure), PostgresQueueAdapterFactory.Create);
        configurator.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
        configurator.UseLeaseBasedQueueBalancer(balancer => balancer.Configure<IOptionsMonitor<PostgresQueueLeaseOptions>>((o, leases) =>
        {
            var l = leases.Get(name);
            o.LeaseLength = l.LeaseLength;
            o.LeaseRenewPeriod = l.LeaseRenewPeriod;
            o.LeaseAcquisitionPeriod = l.LeaseAcquisitionPeriod;
        }));
        configureStream?.Invoke(configurator);
        return builder;
    }

    /// <summary>Adds a grain storage over PostgreSQL. Give it the streams' connection string so both share one writer.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresGrainStorageOptions> configureOptions) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<PostgresGrainStorageOptions>(name).Configure(configureOptions);
            services.TryAddSingleton<PostgresDatabases>();
            services.AddSingleton<IConfigurationValidator>(sp => PostgresGrainStorageOptionsValidator.Create(sp, name));
            services.AddGrainStorage(name, PostgresGrainStorage.Create);
        });

    /// <summary>
    /// Uses the PostgreSQL membership table. Failure detection is Orleans' (ClusterMembershipOptions); docs/storage.md
    /// gives the probe settings for a ≤ 2 s death declaration on one machine and what to use on real networks.
    /// Clients need no gateway list from it: the silos host the web endpoints.
    /// </summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, Action<PostgresClusteringOptions> configureOptions) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<PostgresClusteringOptions>().Configure(configureOptions);
            services.AddSingleton<IConfigurationValidator, PostgresClusteringOptionsValidator>();
            services.AddSingleton<IMembershipTable>(sp => ActivatorUtilities.CreateInstance<PostgresMembershipTable>(sp,
                sp.GetService<TimeProvider>() ?? TimeProvider.System));
        });
}
