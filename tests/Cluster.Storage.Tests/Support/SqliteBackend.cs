using Cluster.Storage.Hosting;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Support;

/// <summary>A fresh directory per test holding the database file; deleted afterwards.</summary>
internal sealed class SqliteBackend : Backend
{
    public SqliteBackend()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cluster-storage-tests", Guid.NewGuid().ToString("N"));
        Path = System.IO.Path.Combine(Directory, "data", "cluster.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public override void AddProviders(ISiloBuilder silo, TimeSpan retention, Action<ISiloPersistentStreamConfigurator> configureStream)
    {
        silo.AddSqliteStreams(TestCluster.Provider, o =>
        {
            o.DatabasePath = Path;
            o.Retention = retention;
        }, configureStream);
        silo.AddSqliteGrainStorage(TestCluster.Provider, o => o.DatabasePath = Path);
    }

    public override Task<IReadOnlyList<QueueAppend>> AppendAsync(IServiceProvider silo, IReadOnlyList<(StreamId Stream, object[] Events)> items) =>
        silo.GetRequiredKeyedService<SqliteQueueWriter>(TestCluster.Provider).AppendAsync(items);

    public override long CountRows(string? where = null)
    {
        using var c = new SqliteConnection($"Data Source={Path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM stream_message {(where is null ? "" : "WHERE " + where)}";
        return (long)cmd.ExecuteScalar()!;
    }

    public override StandaloneStore OpenStandalone(int queues = 128) => new Store(new SqliteDatabase(Path), queues);

    public override object Timestamp(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Store(SqliteDatabase db, int queues) : StandaloneStore
    {
        private readonly SqliteQueueWriter _writer = StandaloneServices.QueueWriter(db, queues);

        public override Cluster.Storage.Writing.CombiningWriter Writer => db.Writer;

        public override Cluster.Storage.Writing.CombiningWriter StateWriter => db.Writer;

        public override Orleans.Storage.IGrainStorage GrainStorage { get; } = StandaloneServices.GrainStorage(db);

        public override StreamQueueMapper Mapper => _writer.Mapper;

        public override Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items) => _writer.AppendAsync(items);

        public override System.Data.Common.DbConnection OpenRead() => db.OpenRead();

        public override FactsStores OpenFacts(TimeProvider time)
        {
            var store = new Cluster.Storage.Sqlite.Facts.SqliteFactsStore(db, _writer, time);
            return new FactsStores(store, store, store, store, new SqliteQueueBacklog(db, TestCluster.Provider));
        }

        public override void Dispose() => db.Dispose();
    }
}
