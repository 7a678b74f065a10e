using Cluster.Storage.Postgres;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Cluster.Storage.Tests.Support;

/// <summary>The providers' parts without a silo, for tests that need exact control of the writer.</summary>
public static class StandaloneServices
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(TestEvent).Assembly).AddAssembly(typeof(Grains.Accounts.PostSubmitted).Assembly))
        .BuildServiceProvider();

    internal static Serializer Serializer => Services.GetRequiredService<Serializer>();

    internal static SqliteQueueWriter QueueWriter(SqliteDatabase db, int queues = 128) =>
        new(TestCluster.Provider, db, new StreamQueueMapper(TestCluster.Provider, queues), Serializer, TimeProvider.System);

    internal static SqliteGrainStorage GrainStorage(SqliteDatabase db) =>
        new(TestCluster.Provider, db, JsonSerializer(), Services.GetRequiredService<IActivatorProvider>(), TimeProvider.System,
            NullLogger<SqliteGrainStorage>.Instance);

    internal static PostgresQueueWriter QueueWriter(PostgresDatabase db, int queues = 128) =>
        new(TestCluster.Provider, db, new StreamQueueMapper(TestCluster.Provider, queues), Serializer, TimeProvider.System);

    internal static PostgresGrainStorage GrainStorage(PostgresDatabase db) =>
        new(TestCluster.Provider, db, JsonSerializer(), Services.GetRequiredService<IActivatorProvider>(), TimeProvider.System,
            NullLogger<PostgresGrainStorage>.Instance);

    private static SystemTextJsonGrainStorageSerializer JsonSerializer() =>
        new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));
}
