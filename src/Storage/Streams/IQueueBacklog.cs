namespace Cluster.Storage.Streams;

/// <summary>
/// The stream rows not yet acknowledged (not delivered, or delivered with the consumer's effects not yet durable): per
/// queue with a backlog for what /metrics reports as inbox lag, and up to marks taken at one moment for the drain on
/// shutdown. A seam because each queue store counts its own way (SQLite, PostgreSQL).
/// </summary>
public interface IQueueBacklog
{
    IReadOnlyDictionary<int, long> Read();

    /// <summary>The last sequence handed out per queue that has ever had a row: everything stored so far lies at or below it.</summary>
    IReadOnlyDictionary<int, long> Marks();

    /// <summary>
    /// Rows at or below <paramref name="marks"/> (from <see cref="Marks"/>) not yet acknowledged. With several silos
    /// appending, rows above the marks keep arriving; a drain waits only for what was stored when it began.
    /// </summary>
    long Unacknowledged(IReadOnlyDictionary<int, long> marks);
}
