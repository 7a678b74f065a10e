using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Platforms;

/// <summary>Sends the silo's pre-aggregated decision counts to the PlatformGrains once a second, and once more on stop.</summary>
internal sealed partial class PlatformAggregateFlusher(PlatformAggregator aggregator, IGrainFactory grains, [FromKeyedServices(ClusterClock.Key)] TimeProvider time, ILogger<PlatformAggregateFlusher> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync();
    }

    private async Task FlushAsync()
    {
        foreach (var (platform, delta) in aggregator.Take())
        {
            try
            {
                await grains.GetGrain<IPlatformGrain>(platform).AddAsync(delta);
            }
            catch (Exception ex)
            {
                LogFlushFailed(logger, ex, platform);
            }
        }
    }

    [LoggerMessage(4050, LogLevel.Warning, "Platform {Platform}: decision aggregates of the last interval could not be sent and are dropped")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string platform);
}
