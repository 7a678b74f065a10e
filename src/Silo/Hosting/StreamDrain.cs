using Cluster.Storage.Streams;

namespace Cluster.Silo.Hosting;

/// <summary>
/// On stop, before the Orleans silo stops (registered right after it, so stopped right before it): waits until every
/// "posts" stream row stored when the drain began is acknowledged, i.e. delivered to its AccountGrain with the effects
/// durable, checking every 50 ms, bounded by the host's shutdown timeout. Ingest is closed and the group commit has
/// committed by then; on one silo that is every row, and in cluster mode the other silos' ingest goes on adding rows
/// above the marks, which the drain does not wait for. What a timeout leaves is still stored and is delivered by the
/// silo that reads its queue next.
/// </summary>
internal sealed class StreamDrain(IQueueBacklog backlog, ILogger<StreamDrain> logger) : IHostedService
{
    private static readonly TimeSpan Check = TimeSpan.FromMilliseconds(50);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var marks = backlog.Marks();
        try
        {
            while (backlog.Unacknowledged(marks) > 0)
            {
                await Task.Delay(Check, cancellationToken);
            }
            SiloLog.Drained(logger);
        }
        catch (OperationCanceledException)
        {
            SiloLog.DrainTimedOut(logger, backlog.Unacknowledged(marks));
        }
    }
}
