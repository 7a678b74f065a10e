using Cluster.Storage.Postgres;

namespace Cluster.Silo.Operations;

/// <summary>
/// Cluster mode: whether the PostgreSQL database answers, asked once a second (<c>SELECT 1</c> on the silo's pool,
/// 2 s at most). While it does not, /readyz answers 503, so a load balancer sends ingest to silos that can commit it;
/// ingest itself answers 503 for every commit that fails meanwhile. Liveness (/healthz) never asks: a database outage
/// makes silos unready, not restarted. The embedded store has no such check (its file is local).
/// </summary>
internal sealed partial class StoreReadiness(PostgresDatabase database, TimeProvider time, ILogger<StoreReadiness> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    // The silo migrated the schema on this database before it started: it answered then.
    private volatile bool _available = true;

    /// <summary>The last check got an answer.</summary>
    public bool IsAvailable => _available;

    public static StoreReadiness Create(IServiceProvider services, string connectionString) =>
        new(services.GetRequiredService<PostgresDatabases>().Get(connectionString), TimeProvider.System,
            services.GetRequiredService<ILogger<StoreReadiness>>());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(CancellationToken stoppingToken)
    {
        try
        {
            await database.PingAsync(Timeout, stoppingToken);
            if (!_available)
            {
                _available = true;
                LogBack(logger, database.Name);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            if (_available)
            {
                _available = false;
                LogLost(logger, ex, database.Name);
            }
        }
    }

    [LoggerMessage(5060, LogLevel.Warning, "PostgreSQL {Database} does not answer: /readyz is 503 until it does")]
    private static partial void LogLost(ILogger logger, Exception exception, string database);

    [LoggerMessage(5061, LogLevel.Information, "PostgreSQL {Database} answers again: ready")]
    private static partial void LogBack(ILogger logger, string database);
}
