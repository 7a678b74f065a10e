using System.Data.Common;
using Cluster.Storage.Hosting;
using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Cluster.Storage.Writing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>A fresh database on the shared test server per test; dropped afterwards.</summary>
internal sealed class PostgresBackend(PostgresServer server) : Backend
{
    public string ConnectionString { get; } = server.CreateDatabase();

    public override void AddProviders(ISiloBuilder silo, TimeSpan retention, Action<ISiloPersistentStreamConfigurator> configureStream)
    {
        silo.AddPostgresStreams(TestCluster.Provider, o =>
        {
            o.ConnectionString = ConnectionString;
            o.Retention = retention;
        }, configureStream);
        silo.AddPostgresGrainStorage(TestCluster.Provider, o => o.ConnectionString = ConnectionString);
    }

    public override Task<IReadOnlyList<QueueAppend>> AppendAsync(IServiceProvider silo, IReadOnlyList<(StreamId Stream, object[] Events)> items) =>
        silo.GetRequiredKeyedService<PostgresQueueWriter>(TestCluster.Provider).AppendAsync(items);

    public override long CountRows(string? where = null)
    {
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM stream_message {(where is null ? "" : "WHERE " + where)}", c);
        return (long)cmd.ExecuteScalar()!;
    }

    public override StandaloneStore OpenStandalone(int queues = 128) => new Store(new PostgresDatabase(ConnectionString), queues);

    public override object Timestamp(DateTimeOffset time) => time;

    public override void Dispose() => server.DropDatabase(ConnectionString);

    private sealed class Store(PostgresDatabase db, int queues) : StandaloneStore
    {
        private readonly PostgresQueueWriter _writer = StandaloneServices.QueueWriter(db, queues);

        public override CombiningWriter Writer => db.Writer;

        public override CombiningWriter StateWriter => db.StateWriter;

        public override IGrainStorage GrainStorage { get; } = StandaloneServices.GrainStorage(db);

        public override StreamQueueMapper Mapper => _writer.Mapper;

        public override Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items) => _writer.AppendAsync(items);

        public override DbConnection OpenRead() => db.DataSource.OpenConnection();

        public override FactsStores OpenFacts(TimeProvider time)
        {
            var store = new Cluster.Storage.Postgres.Facts.PostgresFactsStore(db, _writer, time);
            return new FactsStores(store, store, store, store, new PostgresQueueBacklog(db, TestCluster.Provider));
        }

        public override void Dispose() => db.Dispose();
    }
}
