using System.Net;
using System.Net.Sockets;
using Cluster.Storage.Hosting;
using Cluster.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Benchmarks;

/// <summary>
/// A real Orleans silo in this process for the Orleans benchmarks: a generic host with <c>UseOrleans</c>, localhost
/// clustering on free ports, and the project's SQLite providers on one fresh file in a temporary directory, configured
/// as the product silo configures them (128 queues, an empty queue polled every 50 ms, rows deleted once delivered,
/// stream queues and grain state behind the one writer of the file). Pub-sub is implicit only, as in the product, so no
/// PubSubStore is needed. Calls come from the silo's own grain factory (no gateway hop). The benchmark classes run with
/// server GC, as the product silo does (the web SDK's default).
/// </summary>
internal sealed class OrleansBenchSilo : IAsyncDisposable
{
    /// <summary>The persistent stream provider of the benchmarks.</summary>
    public const string Streams = "bench";

    /// <summary>The grain storage of the benchmark consumers that write state.</summary>
    public const string Storage = "bench-state";

    /// <summary>Stream queues, as the product silo's <c>Orleans:Queues</c> default.</summary>
    public const int Queues = 128;

    private readonly IHost _host;
    private readonly string _directory;

    private OrleansBenchSilo(IHost host, string directory)
    {
        _host = host;
        _directory = directory;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public DeliveryCounter Counter => _host.Services.GetRequiredService<DeliveryCounter>();

    /// <summary>The provider's queue writer, the one the ingest group commit appends stream rows with.</summary>
    public SqliteQueueWriter QueueWriter => _host.Services.GetRequiredKeyedService<SqliteQueueWriter>(Streams);

    public static async Task<OrleansBenchSilo> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "cluster.db");
        var (siloPort, gatewayPort) = FreePorts();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<DeliveryCounter>();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddSqliteStreams(Streams, o =>
            {
                o.DatabasePath = database;
                o.QueueCount = Queues;
                o.Retention = TimeSpan.Zero;
            }, stream => stream.ConfigurePullingAgent(agent => agent.Configure(p =>
                p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(50))));
            silo.AddSqliteGrainStorage(Storage, o => o.DatabasePath = database);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new OrleansBenchSilo(host, directory);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _host.StopAsync(stop.Token);
        }
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Two distinct free loopback ports (both listeners held open while the second is chosen).</summary>
    private static (int, int) FreePorts()
    {
        using var a = new TcpListener(IPAddress.Loopback, 0);
        using var b = new TcpListener(IPAddress.Loopback, 0);
        a.Start();
        b.Start();
        var ports = (((IPEndPoint)a.LocalEndpoint).Port, ((IPEndPoint)b.LocalEndpoint).Port);
        a.Stop();
        b.Stop();
        return ports;
    }
}
