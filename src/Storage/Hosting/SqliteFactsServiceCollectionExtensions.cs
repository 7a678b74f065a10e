using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Sqlite.Facts;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cluster.Storage.Hosting;

/// <summary>Registers the facts store over the SQLite file of the silo's stream provider and grain storage.</summary>
public static class SqliteFactsServiceCollectionExtensions
{
    /// <summary>
    /// The facts store on <paramref name="databasePath"/>, sharing its <see cref="SqliteDatabase"/> (one writer) with the
    /// providers configured on the same file, and the backlog of the stream provider's queues; <paramref name="streamProvider"/>
    /// names the stream provider whose queue writer the group commit appends to.
    /// </summary>
    public static IServiceCollection AddSqliteFacts(this IServiceCollection services, string databasePath, string streamProvider)
    {
        services.TryAddSingleton<SqliteDatabases>();
        services.AddSingleton(sp => new SqliteFactsStore(
            sp.GetRequiredService<SqliteDatabases>().Get(databasePath),
            sp.GetRequiredKeyedService<SqliteQueueWriter>(streamProvider),
            sp.GetKeyedService<TimeProvider>(Grains.ClusterClock.Key) ?? TimeProvider.System));
        services.AddSingleton<IPostStore>(sp => sp.GetRequiredService<SqliteFactsStore>());
        services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<SqliteFactsStore>());
        services.AddSingleton<IReviewStore>(sp => sp.GetRequiredService<SqliteFactsStore>());
        services.AddSingleton<IAdminStore>(sp => sp.GetRequiredService<SqliteFactsStore>());
        services.AddSingleton<IQueueBacklog>(sp => new SqliteQueueBacklog(sp.GetRequiredService<SqliteDatabases>().Get(databasePath), streamProvider));
        return services;
    }
}
