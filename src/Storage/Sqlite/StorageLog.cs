using Microsoft.Extensions.Logging;

namespace Cluster.Storage.Sqlite;

/// <summary>Storage provider log messages (event ids 6000–6099). Ids, queues and counts only: never payloads.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(6000, LogLevel.Information, "Stream provider {Provider}: {Queues} queues in {Path}")]
    public static partial void StreamsOpened(ILogger logger, string provider, int queues, string path);

    [LoggerMessage(6001, LogLevel.Debug, "Stream provider {Provider} queue {Queue}: receiver starts at the oldest stored row")]
    public static partial void ReceiverStarted(ILogger logger, string provider, int queue);

    [LoggerMessage(6002, LogLevel.Debug, "Stream provider {Provider} queue {Queue}: {Rows} delivered rows acknowledged")]
    public static partial void Acknowledged(ILogger logger, string provider, int queue, int rows);

    [LoggerMessage(6003, LogLevel.Warning, "Stream provider {Provider} queue {Queue}: row {Seq} could not be read and is skipped until the queue restarts")]
    public static partial void UnreadableRow(ILogger logger, Exception exception, string provider, int queue, long seq);

    [LoggerMessage(6004, LogLevel.Information, "Grain storage {Storage} in {Path}")]
    public static partial void GrainStorageOpened(ILogger logger, string storage, string path);

    [LoggerMessage(6005, LogLevel.Debug, "Grain storage {Storage}: stale write of {GrainId} (stored etag {Stored}, held {Held})")]
    public static partial void StaleWrite(ILogger logger, string storage, string grainId, string? stored, string? held);
}
