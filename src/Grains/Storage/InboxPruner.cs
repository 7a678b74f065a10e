using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Storage;

/// <summary>
/// Deletes applied inbox messages older than <see cref="StorageOptions.InboxRetention"/>: one pass over every partition
/// each <see cref="StorageOptions.PruneInterval"/>, in writes of at most <see cref="StorageOptions.PruneBatch"/> rows
/// so a backlog (the first start over an unpruned file) never holds the writer for long. Stops with the host.
/// </summary>
internal sealed class InboxPruner(SqliteStore store, StorageOptions options, TimeProvider time, ILogger<InboxPruner> logger) : BackgroundService
{
    private TaskCompletionSource<int> _nextPass = NewPass();

    /// <summary>Completes, with the rows it deleted, when the next pass that starts after this call has finished.</summary>
    public Task<int> NextPassAsync() => Volatile.Read(ref _nextPass).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Each wait is armed before the previous pass is reported, so a clock that moves on after the report
            // (a test's fake clock) always wakes the next pass.
            var wait = Task.Delay(options.PruneInterval, time, stoppingToken);
            while (true)
            {
                await wait;
                var pass = Interlocked.Exchange(ref _nextPass, NewPass());
                var deleted = await PassAsync(stoppingToken);
                wait = Task.Delay(options.PruneInterval, time, stoppingToken);
                pass.TrySetResult(deleted);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Read(ref _nextPass).TrySetCanceled(stoppingToken);
        }
    }

    private async Task<int> PassAsync(CancellationToken stoppingToken)
    {
        var total = 0;
        try
        {
            bool more;
            do
            {
                (var deleted, more) = await store.PruneInboxAsync(options.InboxRetention, options.PruneBatch, stoppingToken);
                total += deleted;
            }
            while (more);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed write (disk full, I/O error) deletes nothing of its batch; the next pass starts again from the checkpoints.
            StorageLog.PruneFailed(logger, ex);
        }
        if (total > 0)
        {
            StorageLog.InboxPruned(logger, total);
        }
        return total;
    }

    private static TaskCompletionSource<int> NewPass() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
