using Azure;
using Azure.Storage.Queues;
using Cluster.Storage.Streams;

namespace Cluster.Silo.Hosting;

/// <summary>
/// The "posts" stream's backlog in Azure Storage mode: each queue's approximate message count, which includes messages
/// a receiver holds invisible (read, not yet deleted), so it counts what is not yet acknowledged. Azure queues hand out
/// no sequence, so <see cref="Marks"/> are the counts at one moment and <see cref="Unacknowledged"/> counts everything
/// now in the queues that held messages then: with every silo's ingest closed that is exact, while other silos go on
/// producing it also counts their newer messages, and a drain may run into the shutdown timeout (what it leaves is
/// delivered by the silos that read those queues next). One request per queue each call.
/// </summary>
internal sealed class AzureQueueBacklog(QueueServiceClient service, IReadOnlyList<string> queueNames) : IQueueBacklog
{
    public IReadOnlyDictionary<int, long> Read()
    {
        var counts = Count(Enumerable.Range(0, queueNames.Count));
        return counts.Where(c => c.Value > 0).ToDictionary();
    }

    public IReadOnlyDictionary<int, long> Marks() => Read();

    public long Unacknowledged(IReadOnlyDictionary<int, long> marks) =>
        marks.Count == 0 ? 0 : Count(marks.Keys).Values.Sum();

    private Dictionary<int, long> Count(IEnumerable<int> queues)
    {
        var asked = queues.ToArray();
        // Host code (metrics, the drain), never a grain turn: waiting here blocks no grain.
        var counts = Task.WhenAll(asked.Select(async q =>
        {
            try
            {
                return (long)(await service.GetQueueClient(queueNames[q]).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return 0L; // not created yet: Orleans creates a queue when its receiver starts or its first message is sent
            }
        })).GetAwaiter().GetResult();
        return asked.Select((q, i) => (q, counts[i])).ToDictionary(p => p.q, p => p.Item2);
    }
}
