using Cluster.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cluster.Tests.Azure;

/// <summary>The real silo in process, in Azure Storage mode on <paramref name="deployment"/>, with ports of its own.</summary>
public sealed class AzureSiloFactory(AzureDeployment deployment, int queues) : WebApplicationFactory<Program>
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "silo-azure-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:DataDir", DataDir);
        var (silo, gateway) = TestPorts.Next();
        builder.UseSetting("Orleans:SiloPort", silo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in deployment.Settings(queues))
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Auth:AdminToken", SiloFactory.AdminToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
