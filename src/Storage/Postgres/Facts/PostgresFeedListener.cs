using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cluster.Storage.Postgres.Facts;

/// <summary>
/// Wakes this silo's long-polling feed readers when any silo stores a decision: the facts store's decision statement
/// sends <c>pg_notify</c> on <see cref="PostgresFactsStore.FeedChannel"/> with each platform of the group, which
/// PostgreSQL delivers at commit (never for a rolled-back transaction) to every connection listening; this service
/// keeps one such connection per silo. <c>IDecisionStore.Recorded</c> still wakes readers of the silo that stored the
/// decision (and counts it, once); a notification only wakes, so the two overlapping costs one extra query. After a
/// (re)connection every reader is woken once, for what committed while nobody listened.
/// The same connection listens on <see cref="PostgresFactsStore.AdminChannel"/>: a policy, lexicon or rumor stored by
/// any silo calls <paramref name="adminChanged"/> (also after a reconnection), so this silo reloads it at once.
/// </summary>
internal sealed class PostgresFeedListener(
    PostgresDatabase database, Action<string> advanced, Action resubscribed, Action adminChanged, TimeProvider time,
    ILogger<PostgresFeedListener> logger) : BackgroundService
{
    /// <summary>How long a quiet connection waits before it checks it is still alive (a dead peer may send nothing).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                PostgresLog.FeedListenerFailed(logger, ex, database.Name);
                await Task.Delay(Retry, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var c = await database.DataSource.OpenConnectionAsync(stoppingToken);
        c.Notification += (_, e) =>
        {
            if (e.Channel == PostgresFactsStore.AdminChannel)
            {
                adminChanged();
            }
            else
            {
                advanced(e.Payload);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresFactsStore.FeedChannel}; LISTEN {PostgresFactsStore.AdminChannel}", c))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }
        PostgresLog.FeedListening(logger, database.Name);
        resubscribed();
        adminChanged();
        while (true)
        {
            if (!await c.WaitAsync(Idle, stoppingToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", c);
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
    }
}
