using Microsoft.Extensions.Logging;

namespace Cluster.Storage.Postgres;

/// <summary>Queue lease messages (event ids 6120–6129): provider names, categories and counts, never tokens.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(6130, LogLevel.Information,
        "Stream provider {Provider}: queues leased through PostgreSQL {Database}, lease {LeaseLength}, renewed every {RenewPeriod}")]
    public static partial void QueueLeasesOpened(ILogger logger, string provider, string database, TimeSpan leaseLength, TimeSpan renewPeriod);

    [LoggerMessage(6131, LogLevel.Warning, "Lease {Operation} of {Count} leases in category {Category} failed")]
    public static partial void LeaseCallFailed(ILogger logger, Exception exception, string operation, string category, int count);
}
