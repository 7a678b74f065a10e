using Cluster.Grains;
using Cluster.Ingest;
using Cluster.Ingest.Posts;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Screening.NearDuplicates;
using Cluster.Silo.Lexicons;

namespace Cluster.Silo.Hosting;

/// <summary>Stage 1 and the ingest pipeline: screening engine, admission, group commit into the posts stream.</summary>
internal static class IngestSetup
{
    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddKeyedSingleton(ClusterClock.Key, TimeProvider.System);
        services.AddSingleton<BuiltInLexicons>();
        // Starts on the starter list alone: LexiconCatalog compiles it with the default and uploaded lists at start,
        // before ingest opens, and building the 65k-entry default here too would compile it twice (about 0.1 s).
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ScreeningOptions>();
            var flood = options.FloodThreshold == 0
                ? null
                : new FloodDetector(sp.GetRequiredKeyedService<TimeProvider>(ClusterClock.Key), options.FloodWindow, options.FloodThreshold, options.FloodCapacity);
            return new ScreeningEngine(LexiconSnapshot.Build([StarterLexicon.Source]), MatchMode.Overlapping, flood, options.AbuseModel ? options.AbuseThreshold : null);
        });
        services.AddSingleton<PostPipeline>();
        services.AddSingleton<IngestGate>();
        services.AddSingleton<IngestAdmission>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IngestJson.Default));
        return services;
    }
}
