using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Runtime;

/// <summary>Runtime log messages (event ids 1000–1099). Ids only, never content.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Partition host {Partition} started at checkpoint {Checkpoint}, epoch {Epoch}")]
    public static partial void HostStarted(ILogger logger, int partition, long checkpoint, long epoch);

    [LoggerMessage(1001, LogLevel.Error, "Turn of {Grain} at {Partition}/{Seq} failed; the message is dead-lettered")]
    public static partial void TurnFailed(ILogger logger, Exception exception, string grain, int partition, long seq);

    [LoggerMessage(1002, LogLevel.Warning, "Partition {Partition} lost its lease at epoch {Epoch}; activations dropped")]
    public static partial void LeaseLost(ILogger logger, int partition, long epoch);

    [LoggerMessage(1003, LogLevel.Error, "Flush of partition {Partition} failed; retrying from checkpoint {Checkpoint}")]
    public static partial void FlushFailed(ILogger logger, Exception exception, int partition, long checkpoint);

    [LoggerMessage(1004, LogLevel.Information, "Grain runtime drained {Partitions} partitions")]
    public static partial void Drained(ILogger logger, int partitions);
}
