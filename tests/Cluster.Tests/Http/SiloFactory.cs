using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cluster.Tests.Http;

/// <summary>The real silo in process, on a real SQLite file in its own temp directory.</summary>
public sealed class SiloFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "adm_test-admin-token";

    private readonly TimeProvider? _time;
    private readonly bool _configureAdminToken;

    public SiloFactory(TimeProvider? time = null, bool configureAdminToken = true)
    {
        _time = time;
        _configureAdminToken = configureAdminToken;
        DataDir = Path.Combine(Path.GetTempPath(), "silo-tests-" + Guid.NewGuid().ToString("N"));
    }

    public string DataDir { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:DataDir", DataDir);
        builder.UseSetting("Runtime:Partitions", "8");
        if (_configureAdminToken)
        {
            builder.UseSetting("Auth:AdminToken", AdminToken);
        }
        if (_time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(_time)));
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
