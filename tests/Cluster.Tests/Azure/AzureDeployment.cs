using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Cluster.Storage.Tests.Postgres;

namespace Cluster.Tests.Azure;

/// <summary>
/// One test's deployment in Azure Storage mode: a fresh PostgreSQL database for the facts and, in the shared Azurite
/// account, a service id of its own (so queues <c>{service}-posts-{n}</c> and the container <c>{service}-grainstate</c>)
/// and a cluster id of its own (membership rows). <see cref="Settings"/> is what a silo of it is configured with.
/// </summary>
public sealed class AzureDeployment(AzuriteServer azurite, PostgresServer postgres) : IDisposable
{
    public string ServiceId { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    public string Database { get; } = postgres.CreateDatabase();

    public string AzureStorage => azurite.ConnectionString;

    /// <summary>
    /// Configuration keys and values (as <c>Section:Key</c>). A visibility timeout of 5 s instead of 30 s, so a message a
    /// killed silo held comes back within the test's patience, and one-machine failure detection (a killed silo is
    /// declared dead after two missed 1 s probes instead of three 5 s ones).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings(int queues) => new Dictionary<string, string>
    {
        ["ConnectionStrings:AzureStorage"] = AzureStorage,
        ["ConnectionStrings:Cluster"] = Database,
        ["Orleans:ServiceId"] = ServiceId,
        ["Orleans:ClusterId"] = ServiceId,
        ["Orleans:AdvertisedAddress"] = "127.0.0.1",
        ["Orleans:Queues"] = queues.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AzureStorage:VisibilityTimeout"] = "00:00:05",
        ["Orleans:ProbeTimeout"] = "00:00:01",
        ["Orleans:MissedProbesLimit"] = "2",
    };

    /// <summary>The same settings as environment variables of a silo process.</summary>
    public IReadOnlyDictionary<string, string> Environment(int queues) =>
        Settings(queues).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    public IReadOnlyList<string> QueueNames(int queues) => Enumerable.Range(0, queues).Select(n => $"{ServiceId}-posts-{n}").ToList();

    public BlobContainerClient GrainState => new BlobServiceClient(AzureStorage).GetBlobContainerClient($"{ServiceId}-grainstate");

    /// <summary>Messages in the posts queues, invisible ones (read by a silo, not yet deleted) included.</summary>
    public async Task<int> QueuedMessagesAsync(int queues)
    {
        var service = new QueueServiceClient(AzureStorage);
        var total = 0;
        foreach (var name in QueueNames(queues))
        {
            try
            {
                total += (await service.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }
        return total;
    }

    /// <summary>The queues of this service that exist in the account.</summary>
    public async Task<List<string>> ExistingQueuesAsync()
    {
        var names = new List<string>();
        await foreach (var q in new QueueServiceClient(AzureStorage).GetQueuesAsync(prefix: ServiceId + "-"))
        {
            names.Add(q.Name);
        }
        return names;
    }

    /// <summary>This cluster's rows in Orleans' membership table, as (status, silo address) pairs.</summary>
    public async Task<List<(string Status, string Address)>> MembersAsync()
    {
        var table = new TableServiceClient(AzureStorage).GetTableClient("OrleansSiloInstances");
        var rows = new List<(string, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == ServiceId))
        {
            if (e.GetString("Status") is { } status)
            {
                rows.Add((status, $"{e.GetString("Address")}:{e.GetString("Port")}"));
            }
        }
        return rows;
    }

    public void Dispose() => postgres.DropDatabase(Database);
}
