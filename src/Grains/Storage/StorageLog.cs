using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Storage;

/// <summary>Embedded store log messages (event ids 3000–3099). Counts and paths only, never content.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(3000, LogLevel.Debug, "Pruned {Rows} applied inbox rows")]
    public static partial void InboxPruned(ILogger logger, int rows);

    [LoggerMessage(3001, LogLevel.Warning, "Inbox pruning failed; retrying at the next pass")]
    public static partial void PruneFailed(ILogger logger, Exception exception);
}
