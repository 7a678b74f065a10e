using Microsoft.Extensions.Logging;

namespace Cluster.Storage.Postgres;

/// <summary>PostgreSQL provider log messages (event ids 6100–6199). Ids, queues and counts only: never payloads or passwords. The stream receivers of both backends log through StorageLog (6001–6003).</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(6100, LogLevel.Information, "Stream provider {Provider}: {Queues} queues in PostgreSQL {Database}")]
    public static partial void StreamsOpened(ILogger logger, string provider, int queues, string database);

    [LoggerMessage(6104, LogLevel.Information, "Grain storage {Storage} in PostgreSQL {Database}")]
    public static partial void GrainStorageOpened(ILogger logger, string storage, string database);

    [LoggerMessage(6105, LogLevel.Debug, "Grain storage {Storage}: stale write of {GrainId} (stored etag {Stored}, held {Held})")]
    public static partial void StaleWrite(ILogger logger, string storage, string grainId, string? stored, string? held);

    [LoggerMessage(6120, LogLevel.Information, "Feed notifications: listening on PostgreSQL {Database}")]
    public static partial void FeedListening(ILogger logger, string database);

    [LoggerMessage(6121, LogLevel.Warning, "Feed notifications from PostgreSQL {Database} lost their connection; listening again in 1 s")]
    public static partial void FeedListenerFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(6122, LogLevel.Information, "Stream queue notifications: listening on PostgreSQL {Database}")]
    public static partial void QueueListening(ILogger logger, string database);

    [LoggerMessage(6123, LogLevel.Warning, "Stream queue notifications from PostgreSQL {Database} lost their connection; every poll reads until listening again")]
    public static partial void QueueListenerFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(6110, LogLevel.Information, "Membership of cluster {ClusterId} in PostgreSQL {Database}")]
    public static partial void MembershipOpened(ILogger logger, string clusterId, string database);

    [LoggerMessage(6111, LogLevel.Debug, "Membership of cluster {ClusterId}: {Operation} of {Silo} lost the compare-and-swap (table etag {Etag})")]
    public static partial void MembershipConflict(ILogger logger, string clusterId, string operation, string silo, string etag);

    [LoggerMessage(6112, LogLevel.Information, "Membership of cluster {ClusterId}: {Rows} defunct silo rows older than {Before} deleted")]
    public static partial void DefunctDeleted(ILogger logger, string clusterId, int rows, DateTimeOffset before);
}
