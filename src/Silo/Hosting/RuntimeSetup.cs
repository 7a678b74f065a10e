using Cluster.Screening.NearDuplicates;
using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Grains.Runtime;
using Cluster.Grains.Storage;
using Cluster.Ingest;
using Cluster.Ingest.Posts;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Silo.Lexicons;

namespace Cluster.Silo.Hosting;

/// <summary>The embedded store, the grain runtime and the ingest pipeline, wired together.</summary>
internal static class RuntimeSetup
{
    public static IServiceCollection AddEmbeddedStore(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = new StorageOptions();
        configuration.GetSection("Storage").Bind(storage);
        if (storage.Validate() is { } error)
        {
            throw new InvalidOperationException("Invalid configuration: " + error);
        }
        services.AddSingleton(storage);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PartitionMap(sp.GetRequiredService<RuntimeOptions>().Partitions));
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<SqliteStore>>();
            var dataDir = DataDirectory.Prepare(sp.GetRequiredService<SiloOptions>().DataDir, logger);
            SiloLog.DataDirectory(logger, dataDir);
            var path = Path.Combine(dataDir, "cluster.db");
            SiloLog.Store(logger, path);
            return new SqliteStore(path, sp.GetRequiredService<PartitionMap>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<InboxPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxPruner>());
        services.AddSingleton<IPartitionStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IPostStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IReviewStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAdminStore>(sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }

    public static IServiceCollection AddGrainRuntime(this IServiceCollection services)
    {
        services.AddSingleton<PlatformPolicies>();
        services.AddSingleton(sp =>
        {
            var policies = sp.GetRequiredService<PlatformPolicies>();
            return new GrainCatalog().Register(AccountGrain.Type, (id, state) => new AccountGrain(id, state, policies));
        });
        services.AddSingleton(sp => new GrainRuntime(
            sp.GetRequiredService<IPartitionStore>(), sp.GetRequiredService<GrainCatalog>(), sp.GetRequiredService<PartitionMap>(),
            sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GrainRuntime>>(),
            sp.GetRequiredService<SiloOptions>().Name + "#" + Environment.ProcessId));
        services.AddHostedService(sp => sp.GetRequiredService<GrainRuntime>());
        return services;
    }

    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddSingleton<BuiltInLexicons>();
        // Starts on the starter list alone: LexiconCatalog compiles it with the default and uploaded lists at start,
        // before ingest opens, and building the 65k-entry default here too would compile it twice (about 0.1 s).
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ScreeningOptions>();
            var flood = options.FloodThreshold == 0
                ? null
                : new FloodDetector(sp.GetRequiredService<TimeProvider>(), options.FloodWindow, options.FloodThreshold, options.FloodCapacity);
            return new ScreeningEngine(LexiconSnapshot.Build([StarterLexicon.Source]), MatchMode.Overlapping, flood, options.AbuseModel ? options.AbuseThreshold : null);
        });
        services.AddSingleton<PostPipeline>();
        services.AddSingleton<IngestGate>();
        services.AddSingleton<IngestAdmission>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<DecisionWaiters>();
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IngestJson.Default));
        return services;
    }
}
