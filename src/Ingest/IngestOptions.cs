namespace Cluster.Ingest;

/// <summary>Bounds on what one request may carry, bound from the "Ingest" configuration section.</summary>
public sealed class IngestOptions
{
    /// <summary>Largest JSON body (Ingest:MaxBodyBytes); NDJSON streams are bounded by <see cref="MaxStreamBytes"/>.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest NDJSON stream (Ingest:MaxStreamBytes). Memory stays bounded: it is committed in chunks.</summary>
    public long MaxStreamBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Most posts in one JSON array (Ingest:MaxBatchItems).</summary>
    public int MaxBatchItems { get; set; } = 5000;

    /// <summary>Most posts in one NDJSON stream (Ingest:MaxStreamItems).</summary>
    public int MaxStreamItems { get; set; } = 1_000_000;

    /// <summary>Longest post text in UTF-16 units (Ingest:MaxTextLength).</summary>
    public int MaxTextLength { get; set; } = 20_000;

    /// <summary>Posts of a stream committed together (Ingest:StreamChunk).</summary>
    public int StreamChunk { get; set; } = 1000;

    /// <summary>Most posts admitted and not yet committed, whatever the drain rate (Ingest:MaxPendingPosts).</summary>
    public int MaxPendingPosts { get; set; } = 50_000;

    /// <summary>
    /// How long admitted work may take to drain at the measured rate before ingest answers 429 (Ingest:MaxQueueDelay):
    /// the bound on how long a post waits between being admitted and its 202.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most posts in one group commit (Ingest:MaxCommitPosts).</summary>
    public int MaxCommitPosts { get; set; } = 4000;

    /// <summary>How long POST /v1/screen waits for decisions (Ingest:ScreenTimeout).</summary>
    public TimeSpan ScreenTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public string? Validate()
    {
        if (MaxBodyBytes < 1024 || MaxStreamBytes < 1024)
        {
            return "Ingest:MaxBodyBytes and Ingest:MaxStreamBytes must be at least 1024.";
        }
        if (MaxBatchItems < 1 || MaxStreamItems < 1 || MaxTextLength < 1 || StreamChunk < 1 || MaxCommitPosts < 1)
        {
            return "Ingest:MaxBatchItems, MaxStreamItems, MaxTextLength, StreamChunk and MaxCommitPosts must be positive.";
        }
        if (MaxQueueDelay <= TimeSpan.Zero || MaxQueueDelay > TimeSpan.FromMinutes(1))
        {
            return "Ingest:MaxQueueDelay must be positive and at most 00:01:00.";
        }
        if (MaxPendingPosts < MaxBatchItems)
        {
            return "Ingest:MaxPendingPosts must be at least Ingest:MaxBatchItems, or a full batch could never be accepted.";
        }
        return null;
    }
}
