using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streams;

namespace Cluster.Storage.Hosting;

/// <summary>Registers the embedded providers on a silo, in the manner of Orleans' own (AddAzureQueueStreams, AddMemoryGrainStorage).</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>
    /// Adds a persistent stream provider over SQLite. Pub-sub defaults to <see cref="StreamPubSubType.ImplicitOnly"/>
    /// (the product's consumers are implicit subscriptions), so no PubSubStore grain storage is needed; a caller that
    /// wants explicit subscriptions changes it in <paramref name="configureStream"/> and adds that storage.
    /// </summary>
    public static ISiloBuilder AddSqliteStreams(this ISiloBuilder builder, string name, Action<SqliteStreamOptions> configureOptions,
        Action<ISiloPersistentStreamConfigurator>? configureStream = null)
    {
        builder.ConfigureServices(services =>
        {
            services.AddOptions<SqliteStreamOptions>(name).Configure(configureOptions);
            services.TryAddSingleton<SqliteDatabases>();
            services.AddSingleton<IConfigurationValidator>(sp => SqliteStreamOptionsValidator.Create(sp, name));
            services.AddKeyedSingleton(name, (sp, _) =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<SqliteStreamOptions>>().Get(name);
                return new SqliteQueueWriter(name, sp.GetRequiredService<SqliteDatabases>().Get(options.DatabasePath),
                    new StreamQueueMapper(name, options.QueueCount), sp.GetRequiredService<Serializer>(),
                    sp.GetService<TimeProvider>() ?? TimeProvider.System, options.FallbackRead);
            });
        });
        var configurator = new SiloPersistentStreamConfigurator(name, configure => builder.ConfigureServices(configure), SqliteQueueAdapterFactory.Create);
        configurator.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
        configureStream?.Invoke(configurator);
        return builder;
    }

    /// <summary>Adds a grain storage over SQLite. Give it the streams' file so both share one writer.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configureOptions) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<SqliteGrainStorageOptions>(name).Configure(configureOptions);
            services.TryAddSingleton<SqliteDatabases>();
            services.AddSingleton<IConfigurationValidator>(sp => SqliteGrainStorageOptionsValidator.Create(sp, name));
            services.AddGrainStorage(name, SqliteGrainStorage.Create);
        });
}
