namespace Cluster.Storage.Streams;

/// <summary>
/// The stream rows not yet acknowledged (not delivered, or delivered with the consumer's effects not yet durable), per
/// queue with a backlog: what the drain on shutdown waits for and what /metrics reports as inbox lag. A seam because
/// each queue store counts its own way (SQLite here; PostgreSQL in cluster mode).
/// </summary>
public interface IQueueBacklog
{
    IReadOnlyDictionary<int, long> Read();
}
