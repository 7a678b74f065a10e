using Cluster.Grains.Accounts;
using Cluster.Grains.Streams;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Sqlite.Facts;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Cluster.Tests.Storage;

/// <summary>The facts store on its own database file, without a silo: the tests drive exactly what is written.</summary>
internal sealed class StandaloneFacts : IDisposable
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(PostSubmitted).Assembly))
        .BuildServiceProvider();

    private readonly SqliteDatabase _database;

    public StandaloneFacts(string path, TimeProvider? time = null)
    {
        _database = new SqliteDatabase(path);
        var writer = new SqliteQueueWriter(PostStreams.Provider, _database, new StreamQueueMapper(PostStreams.Provider, 8),
            Services.GetRequiredService<Serializer>(), TimeProvider.System);
        Store = new SqliteFactsStore(_database, writer, time ?? TimeProvider.System);
    }

    public SqliteFactsStore Store { get; }

    public void Dispose() => _database.Dispose();
}
