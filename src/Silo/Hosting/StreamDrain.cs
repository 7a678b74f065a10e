using Cluster.Storage.Streams;

namespace Cluster.Silo.Hosting;

/// <summary>
/// On stop, before the Orleans silo stops (registered right after it, so stopped right before it): waits until every
/// "posts" stream row is acknowledged, i.e. delivered to its AccountGrain with the effects durable, checking every
/// 50 ms, bounded by the host's shutdown timeout. Ingest is closed and the group commit has committed by then, so the
/// backlog only shrinks. What a timeout leaves is still stored and is delivered on the next start.
/// </summary>
internal sealed class StreamDrain(IQueueBacklog backlog, ILogger<StreamDrain> logger) : IHostedService
{
    private static readonly TimeSpan Check = TimeSpan.FromMilliseconds(50);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (backlog.Read().Values.Sum() > 0)
            {
                await Task.Delay(Check, cancellationToken);
            }
            SiloLog.Drained(logger);
        }
        catch (OperationCanceledException)
        {
            SiloLog.DrainTimedOut(logger, backlog.Read().Values.Sum());
        }
    }
}
