namespace Cluster.Storage.Postgres;

/// <summary>Options of a PostgreSQL stream provider (<c>AddPostgresStreams</c>), named by the provider.</summary>
public sealed class PostgresStreamOptions
{
    /// <summary>Npgsql connection string of the cluster database. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Queues (partitions) of the provider. Part of the stored format: changing it moves streams between queues.</summary>
    public int QueueCount { get; set; } = 128;

    /// <summary>Most rows one receiver read returns (Orleans may ask for fewer: a tenth of the cache).</summary>
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>Rows per pulling-agent cache (Orleans' SimpleQueueCache size); delivery acknowledgements come per tenth of it.</summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>How long delivered rows are kept before they are deleted. Zero deletes them as soon as delivery is acknowledged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>Most rows one prune statement deletes.</summary>
    public int PruneBatchSize { get; set; } = 1000;

    /// <summary>
    /// While append notifications arrive, a queue nobody was notified to have appended to is still read this often (the
    /// bound on a notification lost otherwise). Without notifications (the listening connection is down) every poll reads.
    /// </summary>
    public TimeSpan FallbackRead { get; set; } = TimeSpan.FromSeconds(2);
}
