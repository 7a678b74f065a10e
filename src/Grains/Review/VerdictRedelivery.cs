using Cluster.Grains.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Review;

/// <summary>
/// Applies verdicts that were stored with their decided review item but not marked applied: the silo stopped (or the
/// grain call failed) between the two. Every 10 s it takes verdicts older than 10 s, at most 100, and calls their
/// AccountGrains one at a time (bounded work; a reviewer's own call normally marks them within milliseconds). The grain
/// dedupes by review item id, so a verdict applied just before the crash is not applied twice.
/// </summary>
internal sealed partial class VerdictRedelivery(IReviewStore store, IGrainFactory grains, [FromKeyedServices(ClusterClock.Key)] TimeProvider time, ILogger<VerdictRedelivery> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PassAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        try
        {
            foreach (var verdict in await store.UnappliedVerdictsAsync(Interval, 100, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(verdict.Platform, verdict.Account)).ApplyVerdictAsync(verdict);
                await store.MarkVerdictAppliedAsync(verdict.ItemId, cancellationToken);
                applied++;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex);
        }
        if (applied > 0)
        {
            LogRedelivered(logger, applied);
        }
        return applied;
    }

    [LoggerMessage(4060, LogLevel.Information, "Applied {Verdicts} stored review verdicts that had not reached their account")]
    private static partial void LogRedelivered(ILogger logger, int verdicts);

    [LoggerMessage(4061, LogLevel.Warning, "Verdict redelivery failed; retrying at the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
