using Cluster.Storage.Tests.Postgres;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// What every test of silo processes on one database shares: its own database on the collection's server, a
/// <see cref="ProcessCluster"/> on it with <paramref name="queues"/> queues, and at the end the silos' output in the
/// test's log, the processes stopped and the database dropped.
/// </summary>
public abstract class ProcessClusterTest(PostgresServer server, ITestOutputHelper output, int queues) : IAsyncLifetime
{
    /// <summary>The generous bound of every wait: correctness, not speed (the figures are printed, bench/README.md).</summary>
    protected static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    protected int Queues { get; } = queues;

    protected string Database { get; } = server.CreateDatabase();

    protected ProcessCluster Cluster { get; private set; } = null!;

    protected ITestOutputHelper Output { get; } = output;

    public Task InitializeAsync()
    {
        Cluster = new ProcessCluster(Database, Queues);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Output.WriteLine(Cluster.Outputs());
        await Cluster.DisposeAsync();
        server.DropDatabase(Database);
    }
}
