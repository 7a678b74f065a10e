using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Postgres;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cluster.Storage.Hosting;

/// <summary>Registers the facts store over the PostgreSQL database of the silo's stream provider and grain storage (cluster mode).</summary>
public static class PostgresFactsServiceCollectionExtensions
{
    /// <summary>
    /// The facts store on <paramref name="connectionString"/>, sharing its <see cref="PostgresDatabase"/> (pool and writers)
    /// with the providers configured with the same string, and the backlog of the stream provider's queues;
    /// <paramref name="streamProvider"/> names the stream provider whose queue writer the group commit appends to.
    /// </summary>
    public static IServiceCollection AddPostgresFacts(this IServiceCollection services, string connectionString, string streamProvider)
    {
        services.TryAddSingleton<PostgresDatabases>();
        services.AddSingleton(sp => new PostgresFactsStore(
            sp.GetRequiredService<PostgresDatabases>().Get(connectionString),
            sp.GetRequiredKeyedService<PostgresQueueWriter>(streamProvider),
            sp.GetKeyedService<TimeProvider>(Grains.ClusterClock.Key) ?? TimeProvider.System));
        services.AddSingleton<IPostStore>(sp => sp.GetRequiredService<PostgresFactsStore>());
        services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<PostgresFactsStore>());
        services.AddSingleton<IReviewStore>(sp => sp.GetRequiredService<PostgresFactsStore>());
        services.AddSingleton<IAdminStore>(sp => sp.GetRequiredService<PostgresFactsStore>());
        services.AddSingleton<IQueueBacklog>(sp => new PostgresQueueBacklog(sp.GetRequiredService<PostgresDatabases>().Get(connectionString), streamProvider));
        return services;
    }
}
