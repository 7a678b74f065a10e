using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Accounts;

/// <summary>AccountGrain log messages (event ids 4000–4049). Grain keys and ids only, never post text.</summary>
internal static partial class AccountLog
{
    [LoggerMessage(4000, LogLevel.Warning, "Account {Grain}: state write failed; the activation is dropped and the next one reads the stored state")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string grain);

    [LoggerMessage(4001, LogLevel.Debug, "Account {Grain}: stream event {Seq} is a redelivery; skipped")]
    public static partial void Redelivered(ILogger logger, string grain, long seq);
}
