using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cluster.Tests.Http;

/// <summary>
/// The real silo in process, on a real SQLite file in its own temp directory, or in cluster mode on the PostgreSQL
/// database of <c>cluster</c> (ConnectionStrings:Cluster).
/// </summary>
public sealed class SiloFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "adm_test-admin-token";

    private readonly TimeProvider? _time;
    private readonly bool _configureAdminToken;
    private readonly string? _cluster;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public SiloFactory(TimeProvider? time = null, bool configureAdminToken = true, string? cluster = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        _time = time;
        _configureAdminToken = configureAdminToken;
        _cluster = cluster;
        _settings = settings ?? new Dictionary<string, string>();
        DataDir = Path.Combine(Path.GetTempPath(), "silo-tests-" + Guid.NewGuid().ToString("N"));
    }

    public string DataDir { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:DataDir", DataDir);
        // Ports of their own: test classes run in parallel, each with a silo (localhost clustering, one silo each).
        var (silo, gateway) = TestPorts.Next();
        builder.UseSetting("Orleans:SiloPort", silo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:Queues", "8");
        if (_cluster is not null)
        {
            builder.UseSetting("ConnectionStrings:Cluster", _cluster);
            builder.UseSetting("Orleans:AdvertisedAddress", "127.0.0.1");
        }
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_configureAdminToken)
        {
            builder.UseSetting("Auth:AdminToken", AdminToken);
        }
        if (_time is not null)
        {
            // The domain's clock only: Orleans keeps real time for its own timers (stream polling, membership).
            builder.ConfigureServices(services => services.AddKeyedSingleton(Cluster.Grains.ClusterClock.Key, _time));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
