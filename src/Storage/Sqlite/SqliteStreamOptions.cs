namespace Cluster.Storage.Sqlite;

/// <summary>Options of a SQLite stream provider (<c>AddSqliteStreams</c>), named by the provider.</summary>
public sealed class SqliteStreamOptions
{
    /// <summary>The database file; the silo passes {Silo:DataDir}/cluster.db. Required.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>Queues (partitions) of the provider. Part of the stored format: changing it moves streams between queues.</summary>
    public int QueueCount { get; set; } = 128;

    /// <summary>Most rows one receiver read returns (Orleans may ask for fewer: a tenth of the cache).</summary>
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>Rows per pulling-agent cache (Orleans' SimpleQueueCache size); delivery acknowledgements come per tenth of it.</summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>How long delivered rows are kept before they are deleted. Zero deletes them as soon as delivery is acknowledged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>Most rows one prune request deletes (each is one request to the single writer).</summary>
    public int PruneBatchSize { get; set; } = 1000;

    /// <summary>
    /// A queue this process appended nothing to since its last read is still read this often. The writer of the file is
    /// this process, which tells the receivers of the queues each commit appended to (<see cref="Streams.QueueWakeups"/>),
    /// so this bounds only rows that arrived otherwise (an import at start).
    /// </summary>
    public TimeSpan FallbackRead { get; set; } = TimeSpan.FromSeconds(2);
}
