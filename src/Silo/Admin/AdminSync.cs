using Cluster.Grains.Platforms;
using Cluster.Silo.Hosting;
using Cluster.Silo.Lexicons;
using Cluster.Silo.Rumors;

namespace Cluster.Silo.Admin;

/// <summary>
/// Keeps this silo's policies, lexicons and rumors those of the store, whichever silo stored them. It reads the store's
/// <see cref="AdminStamp"/> (one small query) when <see cref="AdminChangeSignal"/> is raised (in cluster mode: a
/// PostgreSQL notification sent at the commit of the change) and at least every <c>Silo:AdminRefresh</c>, and reloads
/// what the stamp says changed. Reloading is idempotent: every catalog keeps the highest version it has seen, so a
/// change this silo made itself, or one seen twice, costs a comparison.
/// </summary>
internal sealed class AdminSync(
    IAdminStore store, PlatformPolicies policies, LexiconCatalog lexicons, RumorCatalog rumors, AdminChangeSignal signal, SiloOptions options,
    IHostApplicationLifetime lifetime, ILogger<AdminSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // From when the silo has started: the store is migrated and the first load (SiloLifecycle) is done.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        AdminStamp? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var stamp = await store.AdminStampAsync(stoppingToken);
                if (last?.Policies != stamp.Policies)
                {
                    await policies.LoadAsync(store, stoppingToken);
                }
                if (last?.Lexicons != stamp.Lexicons)
                {
                    await lexicons.RefreshAsync(stoppingToken);
                }
                await rumors.RefreshAsync(stamp.Rumors, stoppingToken);
                last = stamp;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                SiloLog.AdminSyncFailed(logger, ex);
            }
            try
            {
                await signal.WaitAsync(options.AdminRefresh, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
