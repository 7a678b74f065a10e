using Cluster.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cluster.Tests.Azure;

/// <summary>Azure Storage mode's configuration refused at start, with the key to fix and without echoing the secret.</summary>
public sealed class AzureConfigurationTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcw==";
    private const string Account = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
        "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
    private const string Database = "Host=127.0.0.1;Port=1;Username=postgres;Database=unused";

    [Fact]
    public void Without_a_PostgreSQL_database_for_the_facts_the_silo_does_not_start()
    {
        var error = Start(new() { ["ConnectionStrings:AzureStorage"] = Account });
        Assert.Contains("ConnectionStrings:AzureStorage needs ConnectionStrings:Cluster", error.Message);
    }

    [Fact]
    public void An_unparsable_storage_connection_string_is_named_by_its_key_and_not_quoted()
    {
        var error = Start(new() { ["ConnectionStrings:AzureStorage"] = $"AccountName=x;AccountKey={Key}!!", ["ConnectionStrings:Cluster"] = Database });
        Assert.Contains("ConnectionStrings:AzureStorage is not an Azure Storage connection string", error.Message);
        Assert.DoesNotContain(Key, error.ToString());
    }

    [Fact]
    public void A_service_id_Azure_cannot_use_in_queue_and_container_names_is_refused()
    {
        var error = Start(new() { ["ConnectionStrings:AzureStorage"] = Account, ["ConnectionStrings:Cluster"] = Database, ["Orleans:ServiceId"] = "Screening_Prod" });
        Assert.Contains("Orleans:ServiceId", error.Message);
        Assert.Contains("'Screening_Prod'", error.Message);
    }

    [Fact]
    public void A_visibility_timeout_outside_Azures_limits_is_refused()
    {
        var error = Start(new() { ["ConnectionStrings:AzureStorage"] = Account, ["ConnectionStrings:Cluster"] = Database, ["AzureStorage:VisibilityTimeout"] = "00:00:00" });
        Assert.Contains("AzureStorage:VisibilityTimeout", error.Message);
    }

    /// <summary>What starting the silo threw, narrowed to the silo's own "Invalid configuration" exception if the host wrapped it.</summary>
    private static Exception Start(Dictionary<string, string> settings)
    {
        using var factory = new Factory(settings);
        var thrown = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        for (var e = thrown; e is not null; e = e.InnerException)
        {
            if (e.Message.StartsWith("Invalid configuration", StringComparison.Ordinal))
            {
                return e;
            }
        }
        return thrown;
    }

    private sealed class Factory(Dictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "silo-azure-config-" + Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Silo:DataDir", _dataDir);
            var (silo, gateway) = TestPorts.Next();
            builder.UseSetting("Orleans:SiloPort", silo.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Orleans:GatewayPort", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
